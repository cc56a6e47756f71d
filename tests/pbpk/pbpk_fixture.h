/*
** pbpk_fixture.h: reads tests/data/pbpk/expm_reference.txt (written by
** validation/pbpk_expm.py; format in its docstring) and runs its cases through
** twinscale's PBPK pack, so the tests only compare numbers.
*/
#ifndef TW_TEST_PBPK_FIXTURE_H
#define TW_TEST_PBPK_FIXTURE_H

#include <stdio.h>  /* fopen, fscanf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

#include "physio/pack.h"        /* tw_model, tw_physio_batch */
#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/pbpk_drug.h"   /* tw_pbpk_params, tw_pbpk_dose_inputs */
#include "physio/pbpk_model.h"  /* state, parameter and input indexes */

extern const tw_pack tw_pack_pbpk;

enum { FIX_MAX_CASES = 32, FIX_MAX_DOSES = 8, FIX_MAX_TIMES = 64 };

typedef struct fix_case {
  char name[64];
  tw_pbpk_physiology ph;
  int ref_sex; /* 0/1: ICRP reference adult; -1: perturbed */
  tw_pbpk_drug drug;
  int64_t minutes;
  int n_doses;
  tw_pbpk_dose doses[FIX_MAX_DOSES];
  int n_times;
  int64_t t[FIX_MAX_TIMES];
  double x[FIX_MAX_TIMES][TW_PBPK_N_STATES];
} fix_case;

/* Reads all cases; returns how many (0 on a read error, with a message). */
static int fix_read(fix_case *cases, int cap) {
  const char *path = TW_TEST_DATA_DIR "/pbpk/expm_reference.txt";
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    return 0;
  }
  int n = 0, ok = 1;
  char word[64];
  fix_case *c = NULL;
  while (ok && fscanf(f, "%63s", word) == 1) {
    if (word[0] == '#') {
      int ch;
      while ((ch = fgetc(f)) != '\n' && ch != EOF) {}
    } else if (!strcmp(word, "case")) {
      if (n == cap) { ok = 0; break; }
      c = &cases[n++];
      memset(c, 0, sizeof *c);
      ok = fscanf(f, "%63s", c->name) == 1;
    } else if (c && !strcmp(word, "physiology")) {
      for (int o = 0; ok && o < TW_PBPK_N_COMPARTMENTS; o++) ok = fscanf(f, "%lf", &c->ph.volume_l[o]) == 1;
      ok = ok && fscanf(f, "%lf", &c->ph.cardiac_output_l_per_min) == 1;
      for (int k = 0; ok && k < TW_PBPK_N_FLOWS; k++) ok = fscanf(f, "%lf", &c->ph.flow_fraction[k]) == 1;
      ok = ok && fscanf(f, "%lf %d", &c->ph.gfr_ml_min, &c->ref_sex) == 2;
    } else if (c && !strcmp(word, "drug")) {
      for (int t = 0; ok && t < TW_PBPK_N_TISSUES; t++) ok = fscanf(f, "%lf", &c->drug.kp[t]) == 1;
      ok = ok && fscanf(f, "%lf %lf %lf %lf %lf %lf", &c->drug.bp, &c->drug.fu, &c->drug.clint_l_per_h,
                        &c->drug.renal_factor, &c->drug.ka_per_h, &c->drug.f_oral) == 6;
      c->drug.name = c->name;
    } else if (c && !strcmp(word, "minutes")) {
      long long m;
      ok = fscanf(f, "%lld", &m) == 1;
      c->minutes = m;
    } else if (c && !strcmp(word, "dose")) {
      long long t0, dur;
      tw_pbpk_dose *d = &c->doses[c->n_doses];
      ok = c->n_doses < FIX_MAX_DOSES && fscanf(f, "%d %lld %lf %lld", &d->route, &t0, &d->mg, &dur) == 4;
      d->time_min = t0;
      d->duration_min = dur;
      c->n_doses++;
    } else if (c && !strcmp(word, "x")) {
      long long t;
      ok = c->n_times < FIX_MAX_TIMES && fscanf(f, "%lld", &t) == 1;
      c->t[c->n_times] = t;
      for (int s = 0; ok && s < TW_PBPK_N_STATES; s++) ok = fscanf(f, "%lf", &c->x[c->n_times][s]) == 1;
      c->n_times++;
    } else if (!strcmp(word, "end")) {
      c = NULL;
    } else {
      ok = 0;
    }
  }
  fclose(f);
  if (!ok) {
    fprintf(stderr, "%s: malformed near '%s'\n", path, word);
    return 0;
  }
  return n;
}

/* Called for every case at every whole minute t in [0, minutes] with its state
** (as double; x[s] is state s) before that minute's doses. */
typedef void (*fix_visit_fn)(int case_i, int64_t t, const double *x, void *ctx);

/* Runs every case as one twin of a batch of `n` twins in precision `dtype` with
** integrator `opts` through tw_model_advance, one minute per call, visiting each
** twin's state every minute. generic = 0 takes the pack's batched fast path;
** generic = 1 adds a PD coupling of no effect (emax 0: pbpk's c_liver on its own
** clint), which sends the model down the engine's per-twin path for composed
** models (model.c) and the pack's per-twin entry points. Flags of failed twins
** land in flag[]. */
static tw_status fix_run(const fix_case *cases, int n, tw_dtype dtype, tw_integrator_opts opts,
                         int generic, fix_visit_fn visit, void *ctx, int32_t *flag) {
  tw_status st = TW_OK;
  int64_t minutes = 0;
  for (int i = 0; i < n; i++) minutes = TW_MAX(minutes, cases[i].minutes);
  const int64_t ld = n;
  double *p = calloc((size_t)(TW_PBPK_N_PARAMS * ld), sizeof *p);
  double *u = calloc((size_t)(minutes * TW_PBPK_N_INPUTS * ld), sizeof *u);
  double *x = calloc((size_t)(TW_PBPK_N_STATES * ld), sizeof *x);
  double *h = calloc((size_t)ld, sizeof *h);
  float *pf = calloc((size_t)(TW_PBPK_N_PARAMS * ld), sizeof *pf);
  float *uf = calloc((size_t)(minutes * TW_PBPK_N_INPUTS * ld), sizeof *uf);
  float *xf = calloc((size_t)(TW_PBPK_N_STATES * ld), sizeof *xf);
  float *hf = calloc((size_t)ld, sizeof *hf);
  if (!p || !u || !x || !h || !pf || !uf || !xf || !hf) {
    st = TW_FAIL(TW_ERR_NOMEM, "fixture run: out of memory");
    goto done;
  }
  for (int i = 0; i < n; i++) {
    double pi[TW_PBPK_N_PARAMS];
    TW_TRY_GOTO(st, tw_pbpk_params(&cases[i].ph, &cases[i].drug, pi, cases[i].name), done);
    for (int k = 0; k < TW_PBPK_N_PARAMS; k++) p[k * ld + i] = pi[k];
    for (int d = 0; d < cases[i].n_doses; d++)
      TW_TRY_GOTO(st, tw_pbpk_dose_inputs(&cases[i].doses[d], minutes, u + i, TW_PBPK_N_INPUTS * ld, ld,
                                          cases[i].name), done);
    flag[i] = TW_TWIN_OK;
  }
  for (int64_t k = 0; k < TW_PBPK_N_PARAMS * ld; k++) pf[k] = (float)p[k];
  for (int64_t k = 0; k < minutes * TW_PBPK_N_INPUTS * ld; k++) uf[k] = (float)u[k];
  tw_model m;
  tw_model_init(&m);
  TW_TRY_GOTO(st, tw_model_add_pack(&m, &tw_pack_pbpk, NULL), done);
  if (generic)
    TW_TRY_GOTO(st, tw_model_couple(&m, "pbpk", "c_liver", "pbpk", "clint", TW_COUPLE_EMAX, 0.0, 1.0, 1.0), done);
  tw_physio_batch b;
  memset(&b, 0, sizeof b);
  b.dtype = dtype;
  b.n = n;
  b.ld = ld;
  b.x = dtype == TW_F64 ? (void *)x : (void *)xf;
  b.p = dtype == TW_F64 ? (const void *)p : (const void *)pf;
  b.h = dtype == TW_F64 ? (void *)h : (void *)hf;
  b.flag = flag;
  b.opts = opts;
  for (int64_t t = 0; t <= minutes; t++) {
    for (int i = 0; i < n; i++) {
      if (t > cases[i].minutes) continue;
      double xi[TW_PBPK_N_STATES];
      for (int s = 0; s < TW_PBPK_N_STATES; s++)
        xi[s] = dtype == TW_F64 ? x[s * ld + i] : (double)xf[s * ld + i];
      visit(i, t, xi, ctx);
    }
    if (t == minutes) break;
    b.u = dtype == TW_F64 ? (const void *)(u + t * TW_PBPK_N_INPUTS * ld)
                          : (const void *)(uf + t * TW_PBPK_N_INPUTS * ld);
    TW_TRY_GOTO(st, tw_model_advance(&m, &b, t, 1), done);
  }
done:
  free(p); free(u); free(x); free(h); free(pf); free(uf); free(xf); free(hf);
  return st;
}

/* Drug given to case c before minute t (bolus and oral doses at t0 count from
** t0 + 1 on, as states are visited before the minute's doses; infusions pro rata). */
static double fix_given_by(const fix_case *c, int64_t t) {
  double mg = 0;
  for (int d = 0; d < c->n_doses; d++) {
    const tw_pbpk_dose *ds = &c->doses[d];
    if (ds->route == TW_PBPK_IV_INFUSION)
      mg += ds->mg * (double)TW_MAX(0, TW_MIN(t - ds->time_min, ds->duration_min)) /
            (double)ds->duration_min;
    else if (t > ds->time_min)
      mg += ds->mg;
  }
  return mg;
}

#endif
