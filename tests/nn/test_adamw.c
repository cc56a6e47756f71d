/*
** test_adamw.c: the optimiser of nn/adamw.h against PyTorch (validation label).
**
** Replays the trajectory of validation/adamw_reference.py (tests/data/nn/
** adamw_traj.bin: torch.optim.AdamW with foreach=False, clip_grad_norm_ and
** llm.c's schedule, 100 steps on 56 float32 parameters) through the CPU table's
** adamw_step from the initial parameters and the raw gradients alone, and
** compares every parameter after every step with torch's: bit for bit when the
** clipping coefficient comes from torch's norm (AdamW alone), and within 1e-6
** absolute (parameters are O(1)) when it comes from tw_grad_norm, whose double
** sum rounds differently from torch's float one in some steps (a 1-ulp change of
** the coefficient, compounded over the run). Also checks the schedule against torch's lr of every step
** (exact) and at its landmarks, and the clipping coefficient below and above the
** threshold. Max abs/rel/ulp differences are printed.
*/
#include <math.h>   /* fabs */
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, calloc, free */
#include <string.h> /* memcpy */

#include "backend/backend.h" /* tw_backend_open */
#include "nn/adamw.h"        /* schedule, clipping, coefficients under test */
#include "nn/nn_ops.h"       /* tw_nn_ops_cpu.adamw_step */
#include "nn_fixture.h"      /* the PyTorch fixture */
#include "tw_test.h"

/* Distance in units in the last place between two finite floats. */
static int64_t ulp_distance(float a, float b) {
  int32_t ia, ib;
  memcpy(&ia, &a, sizeof ia);
  memcpy(&ib, &b, sizeof ib);
  const int64_t oa = ia < 0 ? (int64_t)INT32_MIN - ia : ia, ob = ib < 0 ? (int64_t)INT32_MIN - ib : ib;
  return oa > ob ? oa - ob : ob - oa;
}

typedef struct diff_stats {
  double max_abs, max_rel;
  int64_t max_ulp, differing;
} diff_stats;

static void diff_add(diff_stats *d, const float *a, const double *ref, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const double abs_d = fabs((double)a[i] - ref[i]);
    const int64_t u = ulp_distance(a[i], (float)ref[i]);
    d->max_abs = abs_d > d->max_abs ? abs_d : d->max_abs;
    if (ref[i] != 0.0 && abs_d / fabs(ref[i]) > d->max_rel) d->max_rel = abs_d / fabs(ref[i]);
    d->max_ulp = u > d->max_ulp ? u : d->max_ulp;
    d->differing += u != 0;
  }
}

typedef struct traj {
  nn_fixture fx;
  const double *cfg; /* lr_max, lr_min, warmup, total, beta1, beta2, eps, wd, max_norm */
  int64_t steps, n;
} traj;

static int traj_load(traj *t) {
  if (nn_fixture_load("adamw_traj.bin", &t->fx) != 0) return -1;
  const nn_array *p0 = nn_fixture_get(&t->fx, "p0"), *norm = nn_fixture_get(&t->fx, "norm");
  if (!p0 || !norm || !nn_fixture_get(&t->fx, "config")) return -1;
  t->cfg = nn_fixture_get(&t->fx, "config")->data;
  t->n = p0->numel;
  t->steps = norm->numel;
  return 0;
}

static tw_lr_schedule traj_schedule(const traj *t) {
  tw_lr_schedule s = {t->cfg[0], t->cfg[1], (int64_t)t->cfg[2], (int64_t)t->cfg[3]};
  return s;
}

/* Replays every step; own_norm: clip with tw_grad_norm instead of torch's norm. */
static void replay(const traj *t, int own_norm, diff_stats *out) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  const double *c = t->cfg, *torch_norm = nn_fixture_get(&t->fx, "norm")->data;
  const double *ref = nn_fixture_get(&t->fx, "param")->data;
  float *p = nn_fixture_floats(&t->fx, "p0"), *g = nn_fixture_floats(&t->fx, "grad");
  float *m = calloc((size_t)t->n, sizeof(float)), *v = calloc((size_t)t->n, sizeof(float));
  const tw_lr_schedule sched = traj_schedule(t);
  diff_stats d = {0, 0, 0, 0};
  for (int64_t s = 0; s < t->steps; ++s) {
    const float *gs = g + s * t->n;
    const float norm = own_norm ? tw_grad_norm(t->n, gs) : (float)torch_norm[s];
    const float coef = tw_clip_coef(norm, (float)c[8]);
    CHECK_OK(tw_nn_ops_cpu.adamw_step(be, t->n, p, gs, m, v, tw_lr_at(&sched, s), c[4], c[5], c[6], c[7], s + 1,
                                      coef));
    diff_add(&d, p, ref + s * t->n, t->n);
  }
  free(p), free(g), free(m), free(v);
  tw_backend_close(be);
  *out = d;
}

static void matches_torch_adamw(void) {
  traj t;
  CHECK(traj_load(&t) == 0);
  if (tw_test_failures_) return;
  diff_stats a, b;
  replay(&t, 0, &a);
  replay(&t, 1, &b);
  printf("  adamw vs torch (torch's norm): %lld of %lld values differ, max abs %.3g rel %.3g ulp %lld\n",
         (long long)a.differing, (long long)(t.steps * t.n), a.max_abs, a.max_rel, (long long)a.max_ulp);
  printf("  adamw vs torch (own norm):     %lld of %lld values differ, max abs %.3g rel %.3g ulp %lld\n",
         (long long)b.differing, (long long)(t.steps * t.n), b.max_abs, b.max_rel, (long long)b.max_ulp);
  CHECK_EQ_INT(a.differing, 0);
  CHECK(b.max_abs < 1e-6); /* parameters are O(1); a 1-ulp coefficient moves them ~1e-8 */
  /* the norms themselves, and the schedule at every step */
  const float *g = NULL;
  float *gf = nn_fixture_floats(&t.fx, "grad");
  const double *tn = nn_fixture_get(&t.fx, "norm")->data, *lr = nn_fixture_get(&t.fx, "lr")->data;
  const tw_lr_schedule sched = traj_schedule(&t);
  double norm_rel = 0.0;
  int clipped = 0, norm_bits = 0;
  for (int64_t s = 0; s < t.steps; ++s) {
    g = gf + s * t.n;
    const double r = fabs(tw_grad_norm(t.n, g) - tn[s]) / tn[s];
    norm_rel = r > norm_rel ? r : norm_rel;
    norm_bits += tw_grad_norm(t.n, g) != (float)tn[s];
    clipped += tn[s] > t.cfg[8];
    CHECK(tw_lr_at(&sched, s) == lr[s]);
  }
  printf("  grad norm vs torch: %d of %lld differ, max rel %.3g; %d steps clipped\n", norm_bits, (long long)t.steps,
         norm_rel, clipped);
  CHECK(norm_rel < 1e-6);
  CHECK(clipped > 0 && clipped < t.steps); /* both branches of the clipping are replayed */
  free(gf);
  nn_fixture_free(&t.fx);
}

static void schedule_landmarks(void) {
  const tw_lr_schedule s = {1e-3, 1e-4, 10, 110};
  CHECK_NEAR(tw_lr_at(&s, 0), 1e-4, 1e-18);       /* first warm-up step: lr_max/warmup */
  CHECK_NEAR(tw_lr_at(&s, 4), 5e-4, 1e-18);       /* linear */
  CHECK_NEAR(tw_lr_at(&s, 9), 1e-3, 1e-18);       /* warm-up end */
  CHECK_NEAR(tw_lr_at(&s, 10), 1e-3, 1e-18);      /* cosine starts at lr_max */
  CHECK_NEAR(tw_lr_at(&s, 60), 5.5e-4, 1e-15);    /* midpoint: (max+min)/2 */
  CHECK_NEAR(tw_lr_at(&s, 35), 1e-4 + 0.9e-3 * 0.5 * (1 + cos(3.14159265358979323846 / 4)), 1e-15);
  CHECK_NEAR(tw_lr_at(&s, 110), 1e-4, 1e-18);     /* end: the floor */
  CHECK_NEAR(tw_lr_at(&s, 1000), 1e-4, 1e-18);    /* after the end */
  CHECK(tw_lr_at(&s, 59) > tw_lr_at(&s, 60) && tw_lr_at(&s, 60) > tw_lr_at(&s, 61));
}

static void clipping(void) {
  const float g[2] = {3.0f, 4.0f};
  CHECK(tw_grad_norm(2, g) == 5.0f);
  CHECK(tw_clip_coef(5.0f, 10.0f) == 1.0f);                 /* below max: unchanged */
  CHECK(tw_clip_coef(0.0f, 1.0f) == 1.0f);                  /* zero gradients */
  const float c = tw_clip_coef(5.0f, 1.0f);                 /* above: scaled to max_norm */
  CHECK_NEAR(c, 1.0f / (5.0f + 1e-6f), 0.0f);
  CHECK_NEAR(c * 5.0f, 1.0f, 1e-6);
  /* the scale reaches the update: a scaled step equals the step on scaled g */
  float p1 = 0.5f, m1 = 0, v1 = 0, p2 = 0.5f, m2 = 0, v2 = 0;
  tw_adamw_update(&p1, 4.0f, &m1, &v1, tw_adamw_coefs(1e-3, 0.9, 0.999, 1e-8, 0.0, 1, 0.25f));
  tw_adamw_update(&p2, 1.0f, &m2, &v2, tw_adamw_coefs(1e-3, 0.9, 0.999, 1e-8, 0.0, 1, 1.0f));
  CHECK(p1 == p2 && m1 == m2 && v1 == v2);
  CHECK_NEAR(p1, 0.5f - 1e-3f, 1e-7); /* first Adam step moves by lr*sign(g) */
}

int main(void) {
  TW_TEST_RUN(schedule_landmarks);
  TW_TEST_RUN(clipping);
  TW_TEST_RUN(matches_torch_adamw);
  return TW_TEST_RESULT();
}
