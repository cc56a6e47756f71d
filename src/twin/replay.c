/*
** replay.c: the replay job (replay.h): for every fitted person, the recorded
** days run under the recorded therapy and under the scenario's, from the MAP
** and from every posterior draw, all as columns of one batched simulation per
** block of persons (tw_fit_simulate), each run scored by the caller's
** endpoints; then the differences and their q05/q50/q95 over the draws.
**
** Both runs of a person start from the same state (the first CGM sample of
** the days at the recorded basal rate) and see the same meals; they differ only
** in the insulin the scenario changes, so with an unchanged scenario the two
** are the same bits and the difference is exactly 0.
*/
#include "twin/replay_internal.h"

#include "core/clock.h" /* tw_now_seconds */
#include "physio/t1d.h" /* TW_T1D_P_u2ss, TW_T1D_P_BW */

#include <math.h>   /* NAN, isfinite, floor, ceil */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, calloc, free, qsort */
#include <string.h> /* memset, memcpy */

extern const tw_pack tw_pack_t1d;

/* Doubles of bg held per batch: 2^24 (128 MB) whatever the persons and days. */
#define REPLAY_BATCH_DOUBLES ((int64_t)1 << 24)

enum { KIND_RECORDED = 0, KIND_CHANGED = 1, KIND_DIFFERENCE = 2, N_KINDS = TW_REPLAY_KINDS };
enum { N_QUANTILES = TW_REPLAY_QUANTILES };
static const double QUANTILES[N_QUANTILES] = {0.05, 0.50, 0.95};

/* What the job holds between the persons' blocks and the file. */
typedef struct replay_job {
  const tw_twins *t;
  const tw_records *r;
  const tw_replay_opts *o;
  tw_records changed;      /* r with the scenario's boluses and basal (its own bolus_u, basal_u_h) */
  double no_basal[2];      /* U/min for a person without basal records: recorded, changed */
  int64_t *rec_row;        /* (t->n) the person's row in r; -1: not replayed */
  int32_t *status;         /* (t->n) tw_replay status, written as /replay/status */
  int E;
  tw_replay_loop loop;     /* the scenario's controller; loop.ctl NULL: open loop */
  int K;                   /* kinds simulated in the batch: 2 (recorded, changed), 1 with a controller */
  double *map;             /* (E, N_KINDS, t->n) */
  double *band;            /* (E, N_KINDS, N_QUANTILES, t->n) when draws */
  double *obs;             /* (E, t->n) the endpoints of the CGM record, when the scorer has score_samples */
  int64_t columns;
  int64_t stopped;         /* changed runs (person x draw) stopped at the model's floor */
} replay_job;

/* ---- the scenario on the records ------------------------------------------------ */

static tw_status apply_scenario(const tw_records *r, const tw_replay_config *sc, tw_records *c) {
  *c = *r;
  c->bolus_u = malloc(sizeof(double) * (size_t)r->n_bolus + 1);
  c->basal_u_h = malloc(sizeof(double) * (size_t)r->n_basal + 1);
  if (!c->bolus_u || !c->basal_u_h) return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory for the records");
  for (int64_t j = 0; j < r->n_bolus; ++j) c->bolus_u[j] = r->bolus_u[j] * sc->bolus_scale;
  for (int64_t j = 0; j < r->n_basal; ++j)
    c->basal_u_h[j] = sc->basal_recorded ? r->basal_u_h[j] * sc->basal_scale : sc->basal_u_per_h;
  return TW_OK;
}

/* ---- matching twins to records ----------------------------------------------------- */

static tw_status match_persons(replay_job *j) {
  const tw_twins *t = j->t;
  if (j->o->person && tw_twins_find(t, j->o->person) < 0)
    return TW_FAIL(TW_ERR_INPUT, "%s: no person %s in this twins file", j->o->twins_path, j->o->person);
  for (int64_t i = 0; i < t->n; ++i) {
    j->rec_row[i] = -1;
    j->status[i] = TW_REPLAY_NOT_ASKED;
    if (j->o->person && strcmp(t->id[i], j->o->person)) continue;
    j->status[i] = TW_REPLAY_FLAGGED;
    if (!tw_twins_usable(t, i)) continue;
    for (int64_t q = 0; q < j->r->n && j->rec_row[i] < 0; ++q)
      if (!strcmp(j->r->persons[q].id, t->id[i])) j->rec_row[i] = q;
    if (j->rec_row[i] < 0)
      return TW_FAIL(TW_ERR_INPUT, "the records hold no person %s of %s (records imported with another salt, or of "
                     "other persons?)", t->id[i], j->o->twins_path);
    j->status[i] = TW_REPLAY_DONE;
  }
  return TW_OK;
}

/* ---- one block of persons ------------------------------------------------------------- */

/* Person row q's days as the window of tw_fit_data_build: the scenario's days,
** else the whole record, through the last record's minute. */
static tw_fit_data_opts window_of(const replay_job *j, int64_t q, int which) {
  const tw_replay_config *sc = j->o->scenario;
  const double end = j->r->persons[q].end_min + 1.0;
  tw_fit_data_opts w = {0.0, end, j->no_basal[which]};
  if (sc->n_days) {
    w.start_min = (sc->days[0] - 1.0) * 1440.0;
    w.end_min = sc->days[1] * 1440.0 < end ? sc->days[1] * 1440.0 : end;
    if (w.end_min <= w.start_min) w.end_min = w.start_min + 1.0; /* no record in the days: no CGM, not run */
  }
  return w;
}

/* Person q's data under the records rec into *f (its arrays now f's). */
static tw_status build_one(const replay_job *j, const tw_records *rec, int64_t q, int which, tw_fit_person *f) {
  const tw_fit_data_opts w = window_of(j, q, which);
  tw_fit_data d;
  TW_TRY(tw_fit_data_build(rec, &q, 1, &w, &d));
  *f = d.p[0];
  free(d.p);
  return TW_OK;
}

/* The bg of every minute as the person's "samples": the end of minutes 1..n_steps. */
static tw_status minute_grid(tw_fit_person *f) {
  free(f->obs_t), free(f->obs_g);
  f->obs_t = malloc(sizeof(double) * (size_t)f->n_steps + 1);
  f->obs_g = calloc((size_t)f->n_steps + 1, sizeof(double));
  if (!f->obs_t || !f->obs_g) return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory for %lld minutes", (long long)f->n_steps);
  for (int64_t k = 0; k < f->n_steps; ++k) f->obs_t[k] = (double)(f->s0 + k + 1);
  f->n_obs = f->n_steps;
  return TW_OK;
}

/* What the sensor recorded, scored as the runs are: person who's CGM samples
** after the start, each at the minute 1..n_steps it falls in (the first of a
** minute kept), into j->obs. */
static tw_status observe(replay_job *j, int64_t who, const tw_fit_person *f) {
  const tw_replay_scorer *s = j->o->scorer;
  if (!j->obs || f->n_steps == 0) return TW_OK;
  int64_t *minute = malloc(sizeof(int64_t) * (size_t)f->n_obs + 1), m = 0;
  double *v = malloc(sizeof(double) * (size_t)f->n_obs + 1), *out = malloc(sizeof(double) * (size_t)j->E + 1);
  tw_status st = minute && v && out ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory");
  for (int64_t k = 0; k < f->n_obs && st == TW_OK; ++k) {
    const int64_t t = (int64_t)ceil(f->obs_t[k] - (double)f->s0);
    if (t >= 1 && t <= f->n_steps && (m == 0 || t > minute[m - 1])) minute[m] = t, v[m++] = f->obs_g[k];
  }
  if (st == TW_OK && m > 0) st = s->score_samples(s->ctx, f->n_steps, m, minute, v, out);
  for (int e = 0; e < j->E && st == TW_OK && m > 0; ++e) j->obs[e * j->t->n + who] = out[e];
  free(minute), free(v), free(out);
  return st;
}

/* The block's data: persons rows[0..n) recorded as d->p[0..n), changed as d->p[n..2n). */
static tw_status build_block(replay_job *j, const int64_t *who, int64_t n, tw_fit_data *d) {
  memset(d, 0, sizeof *d);
  if (!(d->p = calloc((size_t)(2 * n) + 1, sizeof *d->p))) return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory");
  d->n = 2 * n;
  for (int64_t b = 0; b < n; ++b) {
    const int64_t q = j->rec_row[who[b]];
    TW_TRY(build_one(j, j->r, q, 0, &d->p[b]));
    TW_TRY(build_one(j, &j->changed, q, 1, &d->p[n + b]));
    d->p[n + b].basal0 = d->p[b].basal0; /* the same starting state: what was, before the change */
    TW_TRY(observe(j, who[b], &d->p[b]));
    TW_TRY(minute_grid(&d->p[b]));
    TW_TRY(minute_grid(&d->p[n + b]));
    d->max_steps = d->p[b].n_steps > d->max_steps ? d->p[b].n_steps : d->max_steps;
  }
  d->max_obs = d->max_steps;
  return TW_OK;
}

/* Score layout of a block of n persons with S draws: person b, version v (0 the
** MAP, 1 + s draw s), kind k (recorded, changed) is row (b (1 + S) + v) 2 + k.
** The batch's column c holds row (c / K) 2 + c % K: every kind, or only the
** recorded one when a controller runs the changed ones (K = 1). */
static int64_t column(int64_t b, int64_t v, int k, int64_t S) { return (b * (1 + S) + v) * 2 + k; }
static int64_t score_row(const replay_job *j, int64_t c) { return (c / j->K) * 2 + c % j->K; }

static void block_params(const replay_job *j, const int64_t *who, int64_t n, const tw_fit_data *d, int64_t *col_person,
                         double *params) {
  const tw_twins *t = j->t;
  const int np = tw_pack_t1d.n_params, k = t->prior.k;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t v = 0; v <= t->S; ++v) {
      const double *theta = v == 0 ? t->map + who[b] * k : t->draws + (who[b] * t->S + v - 1) * k;
      for (int kind = 0; kind < j->K; ++kind) {
        const int64_t c = (b * (1 + t->S) + v) * j->K + kind;
        col_person[c] = kind * n + b;
        tw_twins_params(t, theta, d->p[b].weight_kg, params + c * np);
      }
    }
}

/* ---- scoring and bands ---------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* numpy.quantile(x, p) (linear) over the finite values of x (n), sorted in place; NaN when none. */
static double quantile(double *x, int64_t n, double p) {
  int64_t m = 0;
  for (int64_t i = 0; i < n; ++i)
    if (isfinite(x[i])) x[m++] = x[i];
  if (m == 0) return NAN;
  qsort(x, (size_t)m, sizeof *x, cmp_double);
  const double h = p * (double)(m - 1), lo = floor(h);
  const int64_t a = (int64_t)lo, b = a + 1 < m ? a + 1 : a;
  return x[a] + (h - lo) * (x[b] - x[a]);
}

/* Person who's results from the block's scores sc (columns, E): MAP values, and bands over the draws. */
static void person_results(replay_job *j, int64_t who, int64_t b, const double *sc, double *tmp) {
  const int64_t n = j->t->n, S = j->t->S;
  for (int e = 0; e < j->E; ++e) {
    const double rec = sc[column(b, 0, 0, S) * j->E + e], chg = sc[column(b, 0, 1, S) * j->E + e];
    const double val[N_KINDS] = {rec, chg, chg - rec};
    for (int k = 0; k < N_KINDS; ++k) j->map[(e * N_KINDS + k) * n + who] = val[k];
    for (int k = 0; S > 0 && k < N_KINDS; ++k) {
      for (int64_t s = 0; s < S; ++s) {
        const double r = sc[column(b, 1 + s, 0, S) * j->E + e], c = sc[column(b, 1 + s, 1, S) * j->E + e];
        tmp[s] = k == KIND_RECORDED ? r : k == KIND_CHANGED ? c : c - r;
      }
      for (int q = 0; q < N_QUANTILES; ++q)
        j->band[((e * N_KINDS + k) * N_QUANTILES + q) * n + who] = quantile(tmp, S, QUANTILES[q]);
    }
  }
}

/* Every column's endpoints into sc (C, E); a column of a person without data stays NaN. */
static tw_status score_columns(const replay_job *j, const tw_fit_data *d, int64_t C, const int64_t *col_person,
                               const double *bg, double *sc) {
  const tw_replay_scorer *s = j->o->scorer;
  for (int64_t c = 0; c < C; ++c) {
    const tw_fit_person *f = &d->p[col_person[c]];
    if (f->n_steps > 0) TW_TRY(s->score(s->ctx, f->n_steps, bg + c * d->max_obs, sc + score_row(j, c) * j->E));
  }
  return TW_OK;
}

/* With a controller: the changed runs of every person of the block, from the
** recorded runs' parameters, into their score rows. */
static tw_status loop_runs(replay_job *j, const int64_t *who, int64_t n, const tw_fit_data *d,
                           const double *params, double *sc) {
  const int64_t S = j->t->S, np = tw_pack_t1d.n_params;
  for (int64_t b = 0; b < n && j->loop.ctl; ++b) {
    if (d->p[b].n_steps == 0) continue;
    const tw_replay_run_ctx r = {.person = &d->p[b], .name = j->t->id[who[b]], .n = 1 + S,
                                 .first_id = (uint64_t)(who[b] * (1 + S)), .scorer = j->o->scorer,
                                 .stopped = &j->stopped};
    TW_TRY(tw_replay_loop_run(&j->loop, &j->o->scenario->controller, &r, params + b * (1 + S) * np,
                              sc + column(b, 0, 1, S) * j->E, 2 * j->E));
  }
  return TW_OK;
}

typedef struct block_bufs {
  int64_t *col_person;
  double *params, *bg, *sc, *tmp;
  int32_t *flag;
} block_bufs;

static void bufs_free(block_bufs *w) {
  free(w->col_person), free(w->params), free(w->bg), free(w->sc), free(w->tmp), free(w->flag);
  memset(w, 0, sizeof *w);
}

static tw_status bufs_alloc(const replay_job *j, int64_t C, int64_t T, block_bufs *w) {
  const int64_t rows = C / j->K * 2;
  w->col_person = malloc(sizeof(int64_t) * (size_t)C + 1);
  w->params = malloc(sizeof(double) * (size_t)(C * tw_pack_t1d.n_params) + 1);
  w->bg = malloc(sizeof(double) * (size_t)(C * T) + 1);
  w->sc = malloc(sizeof(double) * (size_t)(rows * j->E) + 1);
  w->tmp = malloc(sizeof(double) * (size_t)j->t->S + 1);
  w->flag = malloc(sizeof(int32_t) * (size_t)C + 1);
  if (!w->col_person || !w->params || !w->bg || !w->sc || !w->tmp || !w->flag)
    return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory for a batch of %lld runs x %lld minutes", (long long)C,
                   (long long)T);
  for (int64_t k = 0; k < rows * j->E; ++k) w->sc[k] = NAN;
  return TW_OK;
}

/* Persons who[0..n): built, simulated, scored, their results stored. */
static tw_status run_block(replay_job *j, const int64_t *who, int64_t n) {
  tw_fit_data d;
  block_bufs w;
  memset(&w, 0, sizeof w);
  tw_status st = build_block(j, who, n, &d);
  const int64_t C = j->K * n * (1 + j->t->S);
  if (st == TW_OK) st = bufs_alloc(j, C, d.max_obs, &w);
  if (st == TW_OK) {
    block_params(j, who, n, &d, w.col_person, w.params);
    tw_fit_sim s = tw_fit_sim_default();
    st = tw_fit_simulate(&s, &d, C, w.col_person, w.params, w.bg, w.flag);
  }
  if (st == TW_OK) st = score_columns(j, &d, C, w.col_person, w.bg, w.sc);
  if (st == TW_OK) st = loop_runs(j, who, n, &d, w.params, w.sc);
  for (int64_t b = 0; b < n && st == TW_OK; ++b) {
    if (d.p[b].n_steps == 0) j->status[who[b]] = TW_REPLAY_NO_DATA;
    person_results(j, who[b], b, w.sc, w.tmp);
  }
  j->columns += 2 * n * (1 + j->t->S);
  tw_fit_data_free(&d);
  bufs_free(&w);
  return st;
}

/* Persons per block: the bg of every column within REPLAY_BATCH_DOUBLES. */
static int64_t block_persons(const replay_job *j) {
  double longest = 0.0;
  for (int64_t q = 0; q < j->r->n; ++q) longest = j->r->persons[q].end_min > longest ? j->r->persons[q].end_min : longest;
  if (j->o->scenario->n_days) longest = (j->o->scenario->days[1] - j->o->scenario->days[0] + 1.0) * 1440.0;
  const int64_t per = 2 * (1 + j->t->S) * ((int64_t)longest + 2);
  const int64_t n = REPLAY_BATCH_DOUBLES / per;
  return n < 1 ? 1 : n > 256 ? 256 : n;
}

static tw_status run_all(replay_job *j) {
  const int64_t B = block_persons(j);
  int64_t *who = malloc(sizeof(int64_t) * (size_t)B + 1);
  if (!who) return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory");
  int64_t n = 0;
  tw_status st = TW_OK;
  for (int64_t i = 0; i < j->t->n && st == TW_OK; ++i) {
    if (j->status[i] == TW_REPLAY_DONE) who[n++] = i;
    if (n == B || (n > 0 && i == j->t->n - 1)) st = run_block(j, who, n), n = 0;
  }
  free(who);
  return st;
}

/* ---- the job ------------------------------------------------------------------------------- */

static void job_free(replay_job *j) {
  free(j->changed.bolus_u), free(j->changed.basal_u_h);
  free(j->rec_row), free(j->status), free(j->map), free(j->band), free(j->obs);
}

static tw_status job_init(const tw_twins *t, const tw_records *r, const tw_replay_opts *o, replay_job *j) {
  memset(j, 0, sizeof *j);
  j->t = t, j->r = r, j->o = o, j->E = o->scorer->n;
  TW_TRY(tw_replay_loop_init(&o->scenario->controller, &j->loop));
  j->K = j->loop.ctl ? 1 : 2;
  const double *base = t->prior.base;
  j->no_basal[0] = base[TW_T1D_P_u2ss] * base[TW_T1D_P_BW] / 6000.0; /* as the fit fills it */
  j->no_basal[1] = o->scenario->basal_recorded ? j->no_basal[0] * o->scenario->basal_scale
                                               : o->scenario->basal_u_per_h / 60.0;
  const size_t n = (size_t)t->n + 1, e = (size_t)j->E * N_KINDS * (size_t)t->n + 1;
  j->rec_row = malloc(sizeof(int64_t) * n);
  j->status = malloc(sizeof(int32_t) * n);
  j->map = malloc(sizeof(double) * e);
  j->band = t->S ? malloc(sizeof(double) * e * N_QUANTILES) : NULL;
  j->obs = o->scorer->score_samples ? malloc(sizeof(double) * e) : NULL;
  if (!j->rec_row || !j->status || !j->map || (t->S && !j->band) || (o->scorer->score_samples && !j->obs))
    return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory");
  for (size_t k = 0; k < e; ++k) j->map[k] = NAN;
  for (size_t k = 0; j->obs && k < e; ++k) j->obs[k] = NAN;
  for (size_t k = 0; t->S && k < e * N_QUANTILES; ++k) j->band[k] = NAN;
  return apply_scenario(r, o->scenario, &j->changed);
}

/* "ID (flag F), ..." of the flagged fits asked for. */
static char *skipped_list(const replay_job *j, int64_t count) {
  if (count == 0) return NULL;
  const size_t cap = (size_t)count * (TW_PSEUDONYM_LEN + 24) + 1;
  char *s = malloc(cap);
  size_t used = 0;
  for (int64_t i = 0; s && i < j->t->n; ++i)
    if (j->status[i] == TW_REPLAY_FLAGGED)
      used += (size_t)snprintf(s + used, cap - used, "%s%s (flag %d)", used ? ", " : "", j->t->id[i], (int)j->t->flag[i]);
  return s;
}

static void summarise(const replay_job *j, tw_replay_report *rep) {
  rep->persons = j->t->n, rep->draws = j->t->S, rep->columns = j->columns;
  for (int64_t i = 0; i < j->t->n; ++i) {
    rep->replayed += j->status[i] == TW_REPLAY_DONE;
    rep->skipped += j->status[i] == TW_REPLAY_FLAGGED;
    rep->no_data += j->status[i] == TW_REPLAY_NO_DATA;
  rep->stopped = j->stopped;
  }
  rep->skipped_ids = skipped_list(j, rep->skipped);
}

tw_status tw_replay_run(const tw_twins *t, const tw_records *r, const tw_replay_opts *o, tw_replay_report *rep) {
  memset(rep, 0, sizeof *rep);
  replay_job j;
  TW_TRY(tw_replay_check_output(o));
  tw_status st = job_init(t, r, o, &j);
  if (st == TW_OK) st = match_persons(&j);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = run_all(&j);
  rep->seconds = tw_now_seconds() - t0;
  if (st == TW_OK) summarise(&j, rep);
  const tw_replay_results res = {.status = j.status, .map = j.map, .band = j.band, .obs = j.obs};
  if (st == TW_OK) st = tw_replay_write(o, t, &res);
  job_free(&j);
  return st;
}

void tw_replay_report_free(tw_replay_report *rep) {
  free(rep->skipped_ids);
  rep->skipped_ids = NULL;
}
