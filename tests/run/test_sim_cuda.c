/*
** test_sim_cuda.c: `simulate` on the CUDA backend: the run engine's chunk
** (tw_sim_chunk: inputs filled on the host, the batch mirrored on the device,
** the state brought back at every sample, the CGM on the host) against the
** same chunk on the host (gpu; exits 77 without a GPU; under the CUDA emulator,
** label emu, it runs in CI).
**
** Two configs, set up exactly as `simulate` sets them up: the 30 reference
** patients of tests/data/run/t1d-30.yaml (t1d, with a noisy CGM) for a day in
** float64 DOPRI5, float64 RK4 and float32 RK4, and configs/simulate-pbpk.yaml
** (pbpk alone, oral dose and infusion) for 2 days in float64 RK4. Acceptance:
** the same twins flagged on both sides, only at the glucose floor and at the
** same minute (NaN in the same places), and over every trajectory and summary (and
** with output.states, DOPRI5 float64 and RK4 float32, every state; the inputs
** bit for bit),
** ||gpu - cpu|| / ||cpu|| <= 1e-9 (float64) or 1e-4 (float32): the kernels
** call the same TW_HD right-hand sides, built without FMA contraction, and
** DOPRI5's step factor takes no pow, so the device's rounding is the host's; on
** an H200 (4 Dec 2026) every difference was 0.
*/
#include <math.h>   /* sqrt */
#include <stdio.h>  /* fprintf */
#include <string.h> /* memset */

#include "build_info.h" /* TW_HAVE_YAML */
#include "gpu_skip.h"   /* tw_test_cuda_or_skip */
#include "tw_test.h"

#if TW_HAVE_YAML
#include "backend/backend.h"   /* tw_backend_open */
#include "physio/sim_setup.h"  /* tw_sim_setup_build */

static tw_backend *gpu;

/* ||a - b|| / ||b|| over the n values finite on both sides; INFINITY where
** only one side is NaN (a twin stopped on one side only). */
static double rel(const double *a, const double *b, int64_t n) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(a[i]) || isnan(b[i])) { /* a stopped twin: NaN on both sides, or a difference */
      if (isnan(a[i]) != isnan(b[i])) return INFINITY;
      continue;
    }
    num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  }
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

/* The setup's twins on `be` (NULL: the host engine) into r. */
static tw_status run(tw_sim_setup *s, tw_backend *be, tw_sim_result *r) {
  tw_sim_plan pl = s->plan;
  pl.backend = be;
  TW_TRY(tw_sim_result_alloc(&pl, s->n_twins, r));
  return tw_sim_run_chunk(&pl, 0, 0, s->n_twins, s->params, r);
}

static void compare(const char *config, const char *sets[], int n_sets, double bound) {
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  tw_sim_setup s;
  memset(&s, 0, sizeof s);
  CHECK_OK(tw_cfg_parse_file(config, &doc));
  for (int i = 0; i < n_sets; ++i) CHECK_OK(tw_cfg_set(doc, sets[i]));
  CHECK_OK(tw_cfg_bind(doc, &tw_sim_config_schema, &c));
  CHECK_OK(tw_sim_setup_build(&c, doc, &s));
  tw_sim_result host, dev;
  memset(&host, 0, sizeof host), memset(&dev, 0, sizeof dev);
  CHECK_OK(run(&s, NULL, &host));
  CHECK_OK(run(&s, gpu, &dev));
  /* a twin may be stopped at the glucose floor (the host sees it and pushes the
  ** flag to the device): the same twins, the same minute, on both sides */
  int flagged = 0, mismatch = 0;
  for (int64_t i = 0; i < s.n_twins; ++i) {
    flagged += host.flag[i] != 0;
    mismatch += host.flag[i] != dev.flag[i] || host.fail_at[i] != dev.fail_at[i] ||
                (host.flag[i] != 0 && host.flag[i] != TW_TWIN_DOMAIN);
  }
  const int64_t nt = (int64_t)host.n_out * host.n * host.n_times, ns = (int64_t)host.n_out * host.n;
  double e = rel(dev.traj, host.traj, nt);
  e = fmax(e, fmax(rel(dev.mean, host.mean, ns), fmax(rel(dev.min, host.min, ns), rel(dev.max, host.max, ns))));
  if (host.states) { /* output.states: the states brought back, the inputs filled on the host */
    CHECK(dev.states && dev.inputs);
    e = fmax(e, rel(dev.states, host.states, (int64_t)host.n_states * host.n * host.n_times));
    CHECK(!memcmp(dev.inputs, host.inputs, (size_t)(host.n_inputs * host.n * host.n_times) * sizeof(double)));
  }
  fprintf(stderr, "  %s", strrchr(config, '/') + 1);
  for (int i = 0; i < n_sets; ++i) fprintf(stderr, " --set %s", sets[i]);
  fprintf(stderr, ": %lld twins, relative error %.3g (bound %.0e), %d stopped at the floor, %d differences in flags\n",
          (long long)s.n_twins, e, bound, flagged, mismatch);
  CHECK(mismatch == 0);
  CHECK(e <= bound);
  tw_sim_result_free(&host);
  tw_sim_result_free(&dev);
  tw_sim_setup_free(&s);
  tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
}

static void t1d(void) {
  const char *dopri64[] = {"precision=float64", "integrator.method=dopri5", "output.states=true"};
  const char *rk64[] = {"precision=float64", "integrator={method: rk4}"};
  const char *rk32[] = {"precision=float32", "integrator={method: rk4}", "output.states=true"};
  compare(TW_TEST_DATA_DIR "/run/t1d-30.yaml", dopri64, 3, 1e-9);
  compare(TW_TEST_DATA_DIR "/run/t1d-30.yaml", rk64, 2, 1e-9);
  compare(TW_TEST_DATA_DIR "/run/t1d-30.yaml", rk32, 3, 1e-4);
}

static void pbpk(void) { compare(TW_SOURCE_DIR "/configs/simulate-pbpk.yaml", NULL, 0, 1e-9); }

int main(void) {
  tw_test_cuda_or_skip();
  if (tw_backend_open("cuda", 0, &gpu) != TW_OK) {
    fprintf(stderr, "FAIL: cannot open the CUDA backend: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(t1d);
  TW_TEST_RUN(pbpk);
  tw_backend_close(gpu);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate configs need libyaml")
#endif
