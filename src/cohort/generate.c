/*
** generate.c: drawing a virtual cohort (generate.h). Per twin i, from Philox
** keyed by (seed, i): the copula's normals z = L n, uniforms u = Phi(z), each
** covariate its truncated marginal's quantile at u (sex: male when u < p),
** height or BMI derived from the other and weight, conditions by their
** prevalence, the reference patient (nearest in age and weight, or uniform),
** and the pack parameters: the reference's values times exp(eta), eta ~
** N(0, diag(omega) R diag(omega)), body weight from the covariate, redrawn on a
** fresh Philox block range per attempt until every parameter is in the pack's
** range. Twins are independent, so the loop runs in parallel and the result
** does not depend on the thread count.
*/
#include "cohort/generate.h"

#include <math.h>   /* sqrt */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp, strdup */

#include "core/random.h"         /* tw_rng */
#include "physio/pack.h"         /* tw_pack_param_ok */
#include "physio/param_table.h"  /* tw_t1d_builtin_table, tw_param_row */

#if defined(_OPENMP)
#include <omp.h> /* omp_get_max_threads */
#endif

enum { PARAM_BLOCKS_PER_ATTEMPT = 65536 };

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

/* Twin i, whole: returns -1, or the parameter still out of range after the last attempt. */
static int draw_twin(const plan *pl, tw_cohort *h, int64_t i, double *p, double *scratch) {
  const tw_cohort_config *c = pl->c;
  tw_rng rng = tw_rng_make((uint64_t)c->seed, (uint64_t)i, TW_RNG_COVARIATES, 0);
  draw_covariates(pl, h, i, &rng);
  double age, w;
  const double *pa = NULL, *pw = NULL;
  for (int k = 0; k < h->n_vars; ++k) {
    if (h->var[k] == TW_CH_AGE) age = h->cov[(size_t)k * (size_t)h->n + (size_t)i], pa = &age;
    if (h->var[k] == TW_CH_WEIGHT) w = h->cov[(size_t)k * (size_t)h->n + (size_t)i], pw = &w;
  }
  int ref = choose_ref(pl, pa, pw, &rng), bad = -1;
  h->reference[i] = ref;
  for (int a = 0; a < c->parameters.max_attempts; ++a) {
    h->attempts[i] = a + 1;
    bad = draw_params(pl, i, a, pl->r.p + (size_t)ref * (size_t)h->n_params, pw, p, scratch);
    if (bad < 0) break;
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
  return TW_OK;
}

/* The twins with no physiological draw: the first one (lowest id) is named. */
static tw_status failure(const tw_cohort *h, const tw_cohort_config *c, int64_t first, int bad, int64_t count) {
  const tw_pack_param *pp = &h->pack->params[bad];
  double v = h->params[(size_t)bad * (size_t)h->n + (size_t)first];
  return TW_FAIL(TW_ERR_INPUT, "twin-%06lld: no physiological parameters in %lld attempts (%s = %g outside [%g, %g] "
                 "on the last); %lld twin(s) failed: narrow the covariates or the variability",
                 (long long)first, (long long)c->parameters.max_attempts, pp->name, v, pp->lo, pp->hi,
                 (long long)count);
}

/* The team size: `threads`, or OpenMP's default when 0. */
static int team(int threads) {
#if defined(_OPENMP)
  return threads > 0 ? threads : omp_get_max_threads();
#else
  return (void)threads, 1;
#endif
}

static tw_status run_twins(const plan *pl, tw_cohort *h, int threads) {
  int64_t first = -1, count = 0, nomem = 0;
  int first_bad = -1;
  size_t scratch_n = (size_t)h->n_params + 3 * (size_t)pl->k + 1;
#pragma omp parallel num_threads(team(threads)) reduction(+ : nomem)
  {
    double *buf = malloc(scratch_n * sizeof *buf);
    nomem += buf == NULL;
#pragma omp for schedule(static) reduction(+ : count)
    for (int64_t i = 0; i < h->n; ++i) {
      int bad = buf ? draw_twin(pl, h, i, buf, buf + h->n_params) : -1;
      if (bad >= 0) {
        ++count;
#pragma omp critical(tw_cohort_fail)
        if (first < 0 || i < first) first = i, first_bad = bad;
      }
    }
    free(buf);
  }
  if (nomem) return TW_FAIL(TW_ERR_NOMEM, "cohort scratch memory");
  if (count == 0) return TW_OK;
  return failure(h, pl->c, first, first_bad, count);
}

tw_status tw_cohort_generate(const tw_cohort_config *c, int threads, tw_cohort *out) {
  const tw_pack *pack = tw_pack_find(c->pack);
  if (!pack) return TW_FAIL(TW_ERR_INPUT, "pack '%s' not found", c->pack);
  plan pl;
  tw_status st = alloc_cohort(c, pack, out);
  if (st == TW_OK) st = make_plan(c, pack, &pl, &out->ref_names);
  else memset(&pl, 0, sizeof pl);
  out->n_refs = pl.r.n;
  if (st == TW_OK) st = run_twins(&pl, out, threads);
  free_plan(&pl);
  if (st != TW_OK) tw_cohort_free(out);
  return st;
}

void tw_cohort_free(tw_cohort *h) {
  free(h->cov), free(h->cond), free(h->params), free(h->reference), free(h->attempts), free(h->subgroup);
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
  if (st == TW_OK) st = run_twins(&pl, out, threads);
  free_plan(&pl);
  if (st != TW_OK) tw_cohort_free(out);
  return st;
}
