/*
** import_impute.c: a person's missing covariates from the cohort model
** (import.h): the conditional mean of the copula's latent normal given the
** known covariates, mapped back through each marginal's quantile. The copula
** is the one `cohort generate` draws from (tw_cohort_copula), so an imputed
** value is what the generator makes most likely for a twin with the person's
** known covariates: the conditional median of the covariate.
*/
#include "cohort/import.h"

#include <math.h>   /* isnan, isfinite */
#include <string.h> /* memset */

#include "core/random.h" /* tw_cholesky, tw_normal_* */

tw_status tw_impute_model_make(const tw_cohort_config *c, tw_impute_model *out) {
  double L[TW_CH_N_VARS * TW_CH_N_VARS];
  memset(out, 0, sizeof *out);
  out->c = c;
  TW_TRY(tw_cohort_copula(c, out->vars, &out->m, L));
  int m = out->m;
  for (int i = 0; i < m; ++i) /* R = L L^T */
    for (int j = 0; j < m; ++j) {
      double s = 0;
      for (int k = 0; k < m; ++k) s += L[i * m + k] * L[j * m + k];
      out->R[i * m + j] = s;
    }
  return TW_OK;
}

/* The latent normal of sex: male when u < p, so E[z | male] = -phi(a)/p and
** E[z | female] = phi(a)/(1-p) with a = Phi^-1(p). 0: p is 0 or 1 (no information). */
static int sex_latent(double p, double sex, double *z) {
  if (!(p > 0 && p < 1)) return 0;
  double a = tw_normal_quantile(p);
  *z = sex >= 0.5 ? -tw_normal_pdf(a) / p : tw_normal_pdf(a) / (1 - p);
  return 1;
}

/* The latent normal of known variable v at x; 0 when it carries no information. */
static int latent(const tw_cohort_config *c, int v, double x, double *z, unsigned char *clamped) {
  if (v == TW_CH_SEX) return sex_latent(c->covariates.sex_male, x, z);
  const tw_cohort_marginal *mg = &c->covariates.m[v];
  double u = tw_cohort_cdf(&mg->as.normal, mg->kind, x);
  if (u < TW_IMPUTE_U_MIN || u > 1 - TW_IMPUTE_U_MIN) {
    *clamped = 1;
    u = u < TW_IMPUTE_U_MIN ? TW_IMPUTE_U_MIN : 1 - TW_IMPUTE_U_MIN;
  }
  *z = tw_normal_quantile(u);
  return 1;
}

/* Solves the SPD system A y = b (n, n) through its Cholesky factor, in place in b. */
static tw_status spd_solve(int n, const double *A, double *b) {
  double L[TW_CH_N_VARS * TW_CH_N_VARS];
  TW_TRY(tw_cholesky(n, A, L, "the known covariates' correlation matrix"));
  for (int i = 0; i < n; ++i) { /* L w = b */
    for (int k = 0; k < i; ++k) b[i] -= L[i * n + k] * b[k];
    b[i] /= L[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) { /* L^T y = w */
    for (int k = i + 1; k < n; ++k) b[i] -= L[k * n + i] * b[k];
    b[i] /= L[i * n + i];
  }
  return TW_OK;
}

tw_status tw_impute_person(const tw_impute_model *md, double *x, unsigned char *imputed, unsigned char *clamped) {
  int o[TW_CH_N_VARS], mis[TW_CH_N_VARS], no = 0, nm = 0;
  double zo[TW_CH_N_VARS], Roo[TW_CH_N_VARS * TW_CH_N_VARS];
  for (int j = 0; j < md->m; ++j) { /* copula positions: known with information, or missing */
    int v = md->vars[j];
    if (isnan(x[v])) mis[nm++] = j;
    else if (latent(md->c, v, x[v], &zo[no], &clamped[v])) o[no++] = j;
  }
  if (nm == 0) return TW_OK;
  for (int a = 0; a < no; ++a)
    for (int b = 0; b < no; ++b) Roo[a * no + b] = md->R[o[a] * md->m + o[b]];
  if (no > 0) TW_TRY(spd_solve(no, Roo, zo)); /* zo <- R_oo^-1 z_o */
  for (int k = 0; k < nm; ++k) {
    int j = mis[k], v = md->vars[j];
    double z = 0;
    for (int a = 0; a < no; ++a) z += md->R[j * md->m + o[a]] * zo[a];
    if (v == TW_CH_SEX) { /* never missing from an import; as generate.c decides it */
      x[v] = tw_normal_cdf(z) < md->c->covariates.sex_male;
    } else {
      const tw_cohort_marginal *mg = &md->c->covariates.m[v];
      x[v] = tw_cohort_quantile(&mg->as.normal, mg->kind, tw_normal_cdf(z));
    }
    imputed[v] = 1;
  }
  return TW_OK;
}
