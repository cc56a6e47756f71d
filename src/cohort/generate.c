/*
** generate.c: drawing a virtual cohort (generate.h). Per twin i, from Philox
** keyed by (seed, i): the copula's normals z = L n, uniforms u = Phi(z), each
** covariate its truncated marginal's quantile at u (sex: male when u < p),
** height or BMI derived from the other and weight, conditions by their
** prevalence, the reference patient (nearest in age and weight, or uniform),
** and the pack parameters: the reference's values times exp(eta), eta ~
** N(0, diag(omega) R diag(omega)), body weight from the covariate, redrawn on a
** fresh Philox block range per attempt until every parameter is in the pack's
** range. Then the steady-state rule (cohort_steady.h), in rounds: the twins
** drawn in range are integrated fasting at their basal rate in batches; each
** failing twin is drawn again from its next attempt and checked in the next
** round. A twin keeps its first attempt that passes both rules, so the cohort
** depends on neither the thread count nor the batch size. Under ranks
** (tw_cohort_generate_ranks) each rank draws its block of ids and the columns
** are gathered, so the cohort depends on the rank count neither.
*/
#include "cohort/generate.h"

#include <math.h>   /* sqrt */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp, strdup */

#include "cohort/cohort_steady.h" /* tw_cohort_steady_check */
#include "core/clock.h"          /* tw_now_seconds */
#include "core/random.h"         /* tw_rng */
#include "mpi/dist.h"            /* tw_dist_block_range, tw_dist_allgather_blocks */
#include "physio/pack.h"         /* tw_pack_param_ok */
#include "physio/param_table.h"  /* tw_t1d_builtin_table, tw_param_row */


enum { PARAM_BLOCKS_PER_ATTEMPT = 65536 };
/* Twins per call of the steady-state check (bounds its result arrays). */
#define STEADY_BLOCK ((int64_t)65536)

/* The reference patients: parameters (n_refs, n_params), ages and weights. */
typedef struct refs {
  int n;
  double *p;
  double *age, *bw;
  double age_scale, bw_scale; /* the spread of the reference ages and weights */
} refs;

/* Reference twins' ages from Quest.csv, matched by name. */
static tw_status ref_ages(const tw_csv *vp, refs *r) {
  tw_csv q;
  TW_TRY(tw_t1d_builtin_table("Quest.csv", &q));
  tw_status st = TW_OK;
  int age_col = tw_csv_col(&q, "Age");
  for (int i = 0; i < r->n && st == TW_OK; ++i) {
    int row = tw_csv_find_name(&q, vp->cells[(size_t)i * (size_t)vp->n_cols + (size_t)tw_csv_col(vp, "Name")]);
    st = row < 0 || age_col < 0 ? TW_FAIL(TW_ERR_INTERNAL, "Quest.csv lacks reference twin %d's age", i)
                                : tw_csv_number(&q, row, age_col, &r->age[i]);
  }
  tw_csv_free(&q);
  return st;
}

static double spread(const double *x, int n) {
  double m = 0, s = 0;
  for (int i = 0; i < n; ++i) m += x[i] / n;
  for (int i = 0; i < n; ++i) s += (x[i] - m) * (x[i] - m) / (n - 1);
  return sqrt(s) > 0 ? sqrt(s) : 1.0;
}

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  return d ? memcpy(d, s, n) : NULL;
}

static tw_status load_refs(const tw_pack *pack, refs *r, char ***names) {
  tw_csv vp;
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &vp));
  r->n = vp.n_rows;
  r->p = calloc((size_t)r->n * (size_t)pack->n_params, sizeof *r->p);
  r->age = calloc((size_t)r->n, sizeof *r->age);
  r->bw = calloc((size_t)r->n, sizeof *r->bw);
  *names = calloc((size_t)r->n, sizeof **names);
  tw_status st = r->p && r->age && r->bw && *names ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "reference patients");
  int bw = tw_pack_param_index(pack, pack->body_weight_param), name_col = tw_csv_col(&vp, "Name");
  for (int i = 0; i < r->n && st == TW_OK; ++i) {
    st = tw_param_row(pack, &vp, i, r->p + (size_t)i * (size_t)pack->n_params);
    r->bw[i] = r->p[(size_t)i * (size_t)pack->n_params + (size_t)bw];
    (*names)[i] = copy_string(vp.cells[(size_t)i * (size_t)vp.n_cols + (size_t)name_col]);
    if (st == TW_OK && !(*names)[i]) st = TW_FAIL(TW_ERR_NOMEM, "reference names");
  }
  if (st == TW_OK) st = ref_ages(&vp, r);
  r->age_scale = spread(r->age, r->n);
  r->bw_scale = spread(r->bw, r->n);
  tw_csv_free(&vp);
  return st;
}

static void free_refs(refs *r) {
  free(r->p), free(r->age), free(r->bw);
}

/* Everything fixed for the run, shared read-only by the threads. */
typedef struct plan {
  const tw_cohort_config *c;
  const tw_pack *pack;
  int m, vars[TW_CH_N_VARS];
  double L[TW_CH_N_VARS * TW_CH_N_VARS];
  int k, *idx;       /* IIV: k parameters, their pack indices */
  double *omega, *Lw; /* log-scale sds (k), Cholesky factor (k, k) */
  int bw;            /* the pack's body-weight parameter */
  refs r;
  const double *given; /* tw_cohort_generate_given: (TW_CH_N_VARS, n) covariates; NULL: drawn */
} plan;

/* Covariates and conditions of twin i; returns the rng for what follows. */
static void draw_covariates(const plan *pl, const tw_cohort *h, int64_t i, tw_rng *rng) {
  const tw_cohort_config *c = pl->c;
  int g = h->subgroup[i] = tw_cohort_subgroup_of(c, i), kind;
  if (pl->given) { /* tw_cohort_generate_given: the caller's covariates, no conditions */
    for (int k = 0; k < h->n_vars; ++k)
      h->cov[(size_t)k * (size_t)h->n + (size_t)i] = pl->given[(size_t)h->var[k] * (size_t)h->n + (size_t)i];
    return;
  }
  double z[TW_CH_N_VARS], x[TW_CH_N_VARS], zero[TW_CH_N_VARS] = {0};
  double val[TW_CH_N_VARS];
  tw_rng_mvnormal(rng, pl->m, zero, pl->L, z, x);
  for (int j = 0; j < pl->m; ++j) {
    int v = pl->vars[j];
    double u = tw_normal_cdf(x[j]);
    if (u <= 0.0) u = 1e-300; /* Phi underflows only beyond -38 sd */
    if (u >= 1.0) u = 1.0 - 1e-16;
    if (v == TW_CH_SEX) {
      val[v] = u < tw_cohort_group_sex_male(c, g) ? 1.0 : 0.0;
      continue;
    }
    const tw_cohort_dist *d = tw_cohort_group_marginal(c, g, v, &kind);
    val[v] = tw_cohort_quantile(d, kind, u);
  }
  if (tw_cohort_marginal_of(c, TW_CH_WEIGHT)) {
    if (tw_cohort_marginal_of(c, TW_CH_HEIGHT)) val[TW_CH_BMI] = val[TW_CH_WEIGHT] / pow(val[TW_CH_HEIGHT] / 100, 2);
    if (tw_cohort_marginal_of(c, TW_CH_BMI)) val[TW_CH_HEIGHT] = 100 * sqrt(val[TW_CH_WEIGHT] / val[TW_CH_BMI]);
  }
  for (int k = 0; k < h->n_vars; ++k) h->cov[(size_t)k * (size_t)h->n + (size_t)i] = val[h->var[k]];
  for (int j = 0; j < h->n_conditions; ++j)
    h->cond[(size_t)j * (size_t)h->n + (size_t)i] = tw_rng_uniform(rng) < c->conditions[j].prevalence;
}

/* The reference patient of twin i: nearest in (age/age_scale, weight/bw_scale)
** over the covariates drawn (the first on ties), or uniform from the stream. */
static int choose_ref(const plan *pl, const double *age, const double *w, tw_rng *rng) {
  if (pl->c->parameters.reference == TW_REF_UNIFORM) {
    int j = (int)(tw_rng_uniform(rng) * pl->r.n);
    return j < pl->r.n ? j : pl->r.n - 1;
  }
  int best = 0;
  double best_d = INFINITY;
  for (int j = 0; j < pl->r.n; ++j) {
    double da = age ? (*age - pl->r.age[j]) / pl->r.age_scale : 0, dw = w ? (*w - pl->r.bw[j]) / pl->r.bw_scale : 0;
    double d = da * da + dw * dw;
    if (d < best_d) best = j, best_d = d;
  }
  return best;
}

/* One attempt at twin i's parameters into p; returns the first parameter out
** of range, or -1. */
static int draw_params(const plan *pl, int64_t i, int attempt, const double *ref, const double *w, double *p,
                       double *scratch) {
  const tw_pack *pack = pl->pack;
  tw_rng rng = tw_rng_make((uint64_t)pl->c->seed, (uint64_t)i, TW_RNG_COHORT_PARAMS,
                           (uint32_t)attempt * PARAM_BLOCKS_PER_ATTEMPT);
  double *z = scratch, *eta = scratch + pl->k, *zero = scratch + 2 * pl->k;
  for (int j = 0; j < pl->k; ++j) zero[j] = 0.0; /* the mean; scratch comes from malloc */
  tw_rng_mvnormal(&rng, pl->k, zero, pl->Lw, z, eta);
  for (int q = 0; q < pack->n_params; ++q) p[q] = ref[q];
  for (int j = 0; j < pl->k; ++j) p[pl->idx[j]] = ref[pl->idx[j]] * exp(pl->omega[j] * eta[j]);
  if (w) p[pl->bw] = *w;
  for (int q = 0; q < pack->n_params; ++q)
    if (!tw_pack_param_ok(pack, q, p[q])) return q;
  return -1;
}

/* Covariate v of twin i into *x, or NULL when the cohort does not draw it. */
static const double *covariate_of(const tw_cohort *h, int64_t i, int v, double *x) {
  for (int k = 0; k < h->n_vars; ++k)
    if (h->var[k] == v) return *x = h->cov[(size_t)k * (size_t)h->n + (size_t)i], x;
  return NULL;
}

/* Covariates, conditions and reference patient of twin i. */
static void start_twin(const plan *pl, tw_cohort *h, int64_t i) {
  tw_rng rng = tw_rng_make((uint64_t)pl->c->seed, (uint64_t)i, TW_RNG_COVARIATES, 0);
  draw_covariates(pl, h, i, &rng);
  double age, w;
  const double *pa = covariate_of(h, i, TW_CH_AGE, &age), *pw = covariate_of(h, i, TW_CH_WEIGHT, &w);
  h->reference[i] = choose_ref(pl, pa, pw, &rng);
}

/* Twin i's parameters from attempt `from` on: the first attempt in range is
** kept (h->attempts[i] = its number + 1). Returns -1, or the parameter still out
** of range after the last attempt; *rejected counts the attempts out of range. */
static int draw_in_range(const plan *pl, tw_cohort *h, int64_t i, int from, const double *w, double *p,
                         double *scratch, int64_t *rejected) {
  const double *ref = pl->r.p + (size_t)h->reference[i] * (size_t)h->n_params;
  int bad = -1;
  for (int a = from; a < pl->c->parameters.max_attempts; ++a) {
    h->attempts[i] = a + 1;
    bad = draw_params(pl, i, a, ref, w, p, scratch);
    if (bad < 0) break;
    ++*rejected;
  }
  for (int q = 0; q < h->n_params; ++q) h->params[(size_t)q * (size_t)h->n + (size_t)i] = p[q];
  return bad;
}

static tw_status make_plan(const tw_cohort_config *c, const tw_pack *pack, plan *pl, char ***names) {
  memset(pl, 0, sizeof *pl);
  pl->c = c;
  pl->pack = pack;
  TW_TRY(tw_cohort_copula(c, pl->vars, &pl->m, pl->L));
  pl->k = c->parameters.n_variability;
  size_t k = (size_t)pl->k;
  pl->idx = calloc(k + 1, sizeof *pl->idx);
  pl->omega = calloc(k + 1, sizeof *pl->omega);
  pl->Lw = calloc(k * k + 1, sizeof *pl->Lw);
  if (!pl->idx || !pl->omega || !pl->Lw) return TW_FAIL(TW_ERR_NOMEM, "IIV model");
  TW_TRY(tw_cohort_iiv_model(c, pack, pl->idx, pl->omega, pl->Lw));
  pl->bw = tw_pack_param_index(pack, pack->body_weight_param);
  return load_refs(pack, &pl->r, names);
}

static void free_plan(plan *pl) {
  free(pl->idx), free(pl->omega), free(pl->Lw);
  free_refs(&pl->r);
}

/* The covariates written: the drawn ones in variable order, a derived height or bmi. */
static void choose_vars(const tw_cohort_config *c, tw_cohort *h) {
  int derived = tw_cohort_marginal_of(c, TW_CH_WEIGHT) &&
                (tw_cohort_marginal_of(c, TW_CH_HEIGHT) || tw_cohort_marginal_of(c, TW_CH_BMI));
  for (int v = 0; v < TW_CH_N_VARS; ++v) {
    int drawn = v == TW_CH_SEX ? !c->covariates.sex_absent : tw_cohort_marginal_of(c, v) != NULL;
    if (drawn || (derived && (v == TW_CH_HEIGHT || v == TW_CH_BMI))) h->var[h->n_vars++] = v;
  }
}

static tw_status alloc_cohort(const tw_cohort_config *c, const tw_pack *pack, tw_cohort *h) {
  memset(h, 0, sizeof *h);
  h->n = c->size;
  h->pack = pack;
  h->n_params = pack->n_params;
  h->n_conditions = c->n_conditions;
  choose_vars(c, h);
  size_t n = (size_t)h->n;
  h->cov = calloc(n * (size_t)h->n_vars + 1, sizeof *h->cov);
  h->cond = calloc(n * (size_t)h->n_conditions + 1, sizeof *h->cond);
  h->params = calloc(n * (size_t)h->n_params, sizeof *h->params);
  h->reference = calloc(n, sizeof *h->reference);
  h->attempts = calloc(n, sizeof *h->attempts);
  h->subgroup = calloc(n, sizeof *h->subgroup);
  if (!h->cov || !h->cond || !h->params || !h->reference || !h->attempts || !h->subgroup)
    return TW_FAIL(TW_ERR_NOMEM, "a cohort of %lld twins", (long long)h->n);
  h->redraws.steady_rule = tw_cohort_steady_applies(pack, &c->parameters.steady_state);
  if (!h->redraws.steady_rule) return TW_OK;
  if (!(h->fasting = malloc(n * sizeof *h->fasting))) return TW_FAIL(TW_ERR_NOMEM, "a cohort of %lld twins", (long long)h->n);
  for (size_t i = 0; i < n; ++i) h->fasting[i] = NAN;
  return TW_OK;
}

/* The twins with no physiological draw: how many, and the first one (lowest
** id) with its reason: a parameter out of range (bad >= 0) or the steady state. */
typedef struct failed {
  int64_t first, count;
  int bad;
  tw_steady_result why;
} failed;

static void note_failure(failed *f, int64_t i, int bad, const tw_steady_result *why) {
  ++f->count;
  if (f->first >= 0 && i > f->first) return;
  f->first = i, f->bad = bad;
  if (why) f->why = *why;
}

static tw_status failure(const tw_cohort *h, const tw_cohort_config *c, const failed *f) {
  char reason[320];
  if (f->bad >= 0) {
    const tw_pack_param *pp = &h->pack->params[f->bad];
    double v = h->params[(size_t)f->bad * (size_t)h->n + (size_t)f->first];
    snprintf(reason, sizeof reason, "%s = %g outside [%g, %g]", pp->name, v, pp->lo, pp->hi);
  } else {
    char why[160];
    tw_cohort_steady_describe(&f->why, &c->parameters.steady_state, why, sizeof why);
    snprintf(reason, sizeof reason, "no steady state at the basal rate: fasting %s %s", h->pack->cgm_obs, why);
  }
  return TW_FAIL(TW_ERR_INPUT, "twin-%06lld: no physiological parameters in %lld attempts (%s on the last); %lld "
                 "twin(s) failed: narrow the covariates or the variability",
                 (long long)f->first, (long long)c->parameters.max_attempts, reason, (long long)f->count);
}

/* Draws twins ids[0..n) (ids NULL: twins 0..n-1) until their parameters are in
** range: from attempt 0 after drawing their covariates when `fresh`, else from
** the attempt after their last. bad[k]: -1, or the parameter of twin ids[k]
** still out of range after max_attempts. Adds the draws out of range to *rejected. */
static tw_status draw_range(const plan *pl, tw_cohort *h, int threads, const int64_t *ids, int64_t n, int fresh,
                            int32_t *bad, int64_t *rejected) {
  int64_t nomem = 0, out = 0;
  size_t scratch_n = (size_t)h->n_params + 3 * (size_t)pl->k + 1;
#pragma omp parallel num_threads(tw_cohort_team(threads)) reduction(+ : nomem, out)
  {
    double *buf = malloc(scratch_n * sizeof *buf);
    nomem += buf == NULL;
#pragma omp for schedule(static)
    for (int64_t k = 0; k < n; ++k) {
      int64_t i = ids ? ids[k] : k;
      double w;
      if (!buf) continue;
      if (fresh) start_twin(pl, h, i);
      bad[k] = draw_in_range(pl, h, i, fresh ? 0 : h->attempts[i], covariate_of(h, i, TW_CH_WEIGHT, &w), buf,
                             buf + h->n_params, &out);
    }
    free(buf);
  }
  *rejected += out;
  return nomem ? TW_FAIL(TW_ERR_NOMEM, "cohort scratch memory") : TW_OK;
}

/* Tallies one checked draw of twin i; returns 1 when it is to be drawn again. */
static int tally(const plan *pl, tw_cohort *h, int64_t i, const tw_steady_result *r, int round, failed *f) {
  tw_cohort_redraws *rd = &h->redraws;
  h->fasting[i] = r->final;
  ++rd->draws_checked;
  if (r->verdict == TW_STEADY_PASS) return 0;
  ++rd->steady, ++rd->steady_by[r->verdict];
  rd->first_draw_failed += round == 0;
  if (h->attempts[i] < pl->c->parameters.max_attempts) return 1;
  note_failure(f, i, -1, r);
  return 0;
}

/* The steady-state rule over the twins list[0..n) (drawn in range): each block
** of STEADY_BLOCK twins is checked (in batches of `chunk`), its failures drawn
** again and, when in range, written back to the list's front for the next round. */
static tw_status steady_rounds(const plan *pl, tw_cohort *h, int threads, int64_t chunk, int64_t *list, int64_t n,
                               int32_t *bad, failed *f) {
  tw_steady_result *res = malloc(STEADY_BLOCK * sizeof *res);
  int64_t *again = malloc(STEADY_BLOCK * sizeof *again);
  tw_status st = res && again ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "steady-state check");
  double t0 = tw_now_seconds();
  for (int round = 0; n > 0 && st == TW_OK; ++round) {
    int64_t w = 0;
    for (int64_t r = 0; r < n && st == TW_OK; r += STEADY_BLOCK) {
      int64_t nb = n - r < STEADY_BLOCK ? n - r : STEADY_BLOCK, n_again = 0;
      st = tw_cohort_steady_check(pl->pack, &pl->c->parameters.steady_state, h->params, h->n, list + r, nb, chunk,
                                  threads, res);
      for (int64_t j = 0; j < nb && st == TW_OK; ++j)
        if (tally(pl, h, list[r + j], &res[j], round, f)) again[n_again++] = list[r + j];
      if (st == TW_OK) st = draw_range(pl, h, threads, again, n_again, 0, bad, &h->redraws.range);
      for (int64_t k = 0; k < n_again && st == TW_OK; ++k)
        if (bad[k] >= 0) note_failure(f, again[k], bad[k], NULL);
        else list[w++] = again[k];
    }
    n = w;
  }
  h->redraws.steady_seconds = tw_now_seconds() - t0;
  free(res), free(again);
  return st;
}

/* The twins [*lo, *hi) this process draws: its block of ids under ranks, all
** of them without. */
static void my_twins(const tw_dist *d, int64_t n, int64_t *lo, int64_t *hi) {
  if (d) tw_dist_block_range(n, d->rank, d->size, lo, hi);
  else *lo = 0, *hi = n;
}

/* After each rank drew its block: every rank gets every twin's columns, the
** summed redraw counts and failures, and the longest steady-state time. Sums
** of integers and gathers of whole values: the same bits for any rank count. */
static tw_status share(const tw_dist *d, tw_cohort *h, failed *f) {
  const size_t n = (size_t)h->n;
  for (int k = 0; k < h->n_vars; ++k) TW_TRY(tw_dist_allgather_blocks(d, h->cov + k * n, h->n, sizeof *h->cov));
  for (int k = 0; k < h->n_conditions; ++k)
    TW_TRY(tw_dist_allgather_blocks(d, h->cond + k * n, h->n, sizeof *h->cond));
  for (int k = 0; k < h->n_params; ++k)
    TW_TRY(tw_dist_allgather_blocks(d, h->params + k * n, h->n, sizeof *h->params));
  TW_TRY(tw_dist_allgather_blocks(d, h->reference, h->n, sizeof *h->reference));
  TW_TRY(tw_dist_allgather_blocks(d, h->attempts, h->n, sizeof *h->attempts));
  TW_TRY(tw_dist_allgather_blocks(d, h->subgroup, h->n, sizeof *h->subgroup));
  if (h->fasting) TW_TRY(tw_dist_allgather_blocks(d, h->fasting, h->n, sizeof *h->fasting));
  tw_cohort_redraws *rd = &h->redraws;
  enum { N_SUMS = 4 + TW_STEADY_N_VERDICTS };
  int64_t v[N_SUMS] = {rd->range, rd->steady, rd->first_draw_failed, rd->draws_checked};
  memcpy(v + 4, rd->steady_by, sizeof rd->steady_by);
  TW_TRY(tw_dist_sum_i64(d, v, N_SUMS));
  rd->range = v[0], rd->steady = v[1], rd->first_draw_failed = v[2], rd->draws_checked = v[3];
  memcpy(rd->steady_by, v + 4, sizeof rd->steady_by);
  TW_TRY(tw_dist_sum_i64(d, &f->count, 1));
  return tw_dist_max_f64(d, &rd->steady_seconds, 1);
}

/* Draws this process's twins (my_twins) in range, then through the steady-state
** rule; under ranks shares them. The failure reported is the lowest failing
** twin's (the first failing rank's) with the count over all ranks. */
static tw_status run_twins(const plan *pl, tw_cohort *h, int threads, int64_t chunk, const tw_dist *d) {
  failed f = {.first = -1, .bad = -1};
  int64_t lo, hi, n = 0;
  my_twins(d, h->n, &lo, &hi);
  int32_t *bad = malloc((size_t)(hi - lo + 1) * sizeof *bad);
  int64_t *list = malloc((size_t)(hi - lo + 1) * sizeof *list);
  tw_status st = bad && list ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "a cohort of %lld twins", (long long)h->n);
  for (int64_t k = 0; st == TW_OK && k < hi - lo; ++k) list[k] = lo + k;
  if (st == TW_OK) st = draw_range(pl, h, threads, list, hi - lo, 1, bad, &h->redraws.range);
  for (int64_t k = 0; k < hi - lo && st == TW_OK; ++k)
    if (bad[k] >= 0) note_failure(&f, list[k], bad[k], NULL);
    else list[n++] = list[k];
  if (st == TW_OK && h->fasting) st = steady_rounds(pl, h, threads, chunk, list, n, bad, &f);
  free(bad), free(list);
  if (d) st = tw_dist_agree(d, st);
  if (st == TW_OK && d) st = share(d, h, &f);
  if (st == TW_OK && f.count > 0 && f.first >= 0) st = failure(h, pl->c, &f);
  return d ? tw_dist_agree(d, st) : st;
}

static tw_status generate(const tw_dist *d, const tw_cohort_config *c, int threads, int64_t chunk, tw_cohort *out) {
  const tw_pack *pack = tw_pack_find(c->pack);
  if (!pack) return TW_FAIL(TW_ERR_INPUT, "pack '%s' not found", c->pack);
  if (chunk < 1) return TW_FAIL(TW_ERR_INTERNAL, "cohort chunk %lld", (long long)chunk);
  plan pl;
  tw_status st = alloc_cohort(c, pack, out);
  if (st == TW_OK) st = make_plan(c, pack, &pl, &out->ref_names);
  else memset(&pl, 0, sizeof pl);
  out->n_refs = pl.r.n;
  if (st == TW_OK) st = run_twins(&pl, out, threads, chunk, d);
  free_plan(&pl);
  if (st != TW_OK) tw_cohort_free(out);
  return st;
}

tw_status tw_cohort_generate_chunked(const tw_cohort_config *c, int threads, int64_t chunk, tw_cohort *out) {
  return generate(NULL, c, threads, chunk, out);
}

tw_status tw_cohort_generate(const tw_cohort_config *c, int threads, tw_cohort *out) {
  return generate(NULL, c, threads, TW_COHORT_STEADY_CHUNK, out);
}

tw_status tw_cohort_generate_ranks(const tw_dist *d, const tw_cohort_config *c, int threads, tw_cohort *out) {
  return generate(d, c, threads, TW_COHORT_STEADY_CHUNK, out);
}

void tw_cohort_free(tw_cohort *h) {
  free(h->cov), free(h->cond), free(h->params), free(h->reference), free(h->attempts), free(h->subgroup);
  free(h->fasting);
  for (int j = 0; h->ref_names && j < h->n_refs; ++j) free(h->ref_names[j]);
  free(h->ref_names);
  memset(h, 0, sizeof *h);
}

/* The variables of `c` every twin must have a value of in `given`. */
static tw_status check_given(const tw_cohort *h, const double *given) {
  for (int k = 0; k < h->n_vars; ++k)
    for (int64_t i = 0; i < h->n; ++i)
      if (!isfinite(given[(size_t)h->var[k] * (size_t)h->n + (size_t)i]))
        return TW_FAIL(TW_ERR_INTERNAL, "twin %lld: no value of %s given", (long long)i, tw_cohort_var_name(h->var[k]));
  return TW_OK;
}

tw_status tw_cohort_generate_given(const tw_cohort_config *c, int threads, int64_t n, const double *given,
                                   tw_cohort *out) {
  tw_cohort_config g = *c;
  g.size = n, g.n_conditions = 0, g.n_subgroups = 0;
  const tw_pack *pack = tw_pack_find(g.pack);
  if (!pack) return TW_FAIL(TW_ERR_INPUT, "pack '%s' not found", g.pack);
  plan pl;
  memset(&pl, 0, sizeof pl);
  tw_status st = alloc_cohort(&g, pack, out);
  if (st == TW_OK) st = check_given(out, given);
  if (st == TW_OK) st = make_plan(&g, pack, &pl, &out->ref_names);
  out->n_refs = pl.r.n;
  pl.given = given;
  if (st == TW_OK) st = run_twins(&pl, out, threads, TW_COHORT_STEADY_CHUNK, NULL);
  free_plan(&pl);
  if (st != TW_OK) tw_cohort_free(out);
  return st;
}
