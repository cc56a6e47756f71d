/*
** stats_dist.c: the distribution functions the trial statistics need, to double
** precision: the standard normal (cdf, sf, pdf, quantiles), the regularized
** incomplete beta function, and Student's t (cdf, sf, pdf, quantiles).
**
** Why written here: the p-values and confidence intervals must equal scipy's to
** 1e-9 relative (issue 8), and libm has only erf/erfc. Algorithms (our code):
**   normal          core/random.h's (Cephes' ndtr; A-S 26.2.23 + Halley)
**   incomplete beta Numerical Recipes' continued fraction (modified Lentz), the
**                   prefactor from a log-beta with Stirling corrections (as R's
**                   lbeta), so that large a, b do not lose digits to lgamma
**   t quantile      safeguarded Newton on log t against the log of the tail
**                   (or centre) probability, bracketed from the normal quantile
*/
#include <math.h>

#include "core/random.h" /* tw_normal_*: the normal distribution */
#include "trial/stats.h"

#define LN_SQRT_2PI 0.918938533204672741780329736406

/* ---- normal: the core's implementation (core/random.h), with input checks ---- */

double tw_norm_cdf(double x) { return tw_normal_cdf(x); }

double tw_norm_sf(double x) { return tw_normal_sf(x); }

double tw_norm_pdf(double x) { return tw_normal_pdf(x); }

tw_status tw_norm_isf(double q, double *x) {
  if (!x || !(q >= 0 && q <= 1)) return TW_FAIL(TW_ERR_INPUT, "norm isf: probability %g not in [0, 1]", q);
  *x = tw_normal_isf(q);
  return TW_OK;
}

tw_status tw_norm_ppf(double p, double *x) {
  if (!x || !(p >= 0 && p <= 1)) return TW_FAIL(TW_ERR_INPUT, "norm ppf: probability %g not in [0, 1]", p);
  *x = tw_normal_quantile(p);
  return TW_OK;
}

/* ---- log beta ------------------------------------------------------------- */

/* lgamma(x) - Stirling's approximation, for x >= 10 (series to x^-15: < 1e-17). */
static double lgamma_corr(double x) {
  const double r = 1.0 / x, r2 = r * r;
  return r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 +
         r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156 + r2 * (-3617.0 / 122400))))))));
}

/* ln B(a, b) for a, b > 0, without the cancellation of lgamma differences. */
static double log_beta(double a, double b) {
  const double p = a < b ? a : b, q = a < b ? b : a, ratio = p / (p + q);
  if (p >= 10) {
    const double corr = lgamma_corr(p) + lgamma_corr(q) - lgamma_corr(p + q);
    return -0.5 * log(q) + LN_SQRT_2PI + corr + (p - 0.5) * log(ratio) + q * log1p(-ratio);
  }
  if (q >= 10) {
    const double corr = lgamma_corr(q) - lgamma_corr(p + q);
    return log(tgamma(p)) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-ratio);
  }
  return log(tgamma(p)) + log(tgamma(q)) - log(tgamma(p + q));
}

/* ---- incomplete beta ------------------------------------------------------ */

#define CF_TINY 1e-300L
#define CF_EPS 1e-18L
#define CF_MAXIT 200000

/* The fraction runs in long double (x86: 64-bit mantissa): near x = (a+1)/(a+b+2)
** its terms are close to -1 and cancel, and for large a (t with df ~ 1e5) double
** arithmetic there loses ~4 digits (5e-12 relative measured); a rounded x loses
** as many, hence x too arrives in long double. */
typedef long double ldouble;

static ldouble cf_guard(ldouble v) { return fabsl(v) < CF_TINY ? CF_TINY : v; }

/* Numerical Recipes' betacf: the continued fraction of I_x(a, b), modified Lentz. */
static tw_status beta_cf(double a_, double b_, ldouble x, double *out) {
  const ldouble a = a_, b = b_, qab = a + b, qap = a + 1, qam = a - 1;
  ldouble c = 1, d = 1 / cf_guard(1 - qab * x / qap), h = d;
  for (int m = 1; m <= CF_MAXIT; m++) {
    const ldouble md = m, m2 = 2 * md;
    ldouble aa = md * (b - md) * x / ((qam + m2) * (a + m2));
    d = 1 / cf_guard(1 + aa * d);
    c = cf_guard(1 + aa / c);
    h *= d * c;
    aa = -(a + md) * (qab + md) * x / ((a + m2) * (qap + m2));
    d = 1 / cf_guard(1 + aa * d);
    c = cf_guard(1 + aa / c);
    const ldouble del = d * c;
    h *= del;
    if (fabsl(del - 1) < CF_EPS) {
      *out = (double)h;
      return TW_OK;
    }
  }
  return TW_FAIL(TW_ERR_NUMERIC, "incomplete beta: continued fraction for a=%g b=%g x=%g did not converge", a_, b_,
                 (double)x);
}

/* I_x(a, b) and 1 - I_x(a, b) with y = 1 - x, ln x and ln y given accurately by
** the caller: a ln x loses digits when x is near 1 and ln x is taken of a
** rounded x (ln1p of the small part keeps them). */
typedef struct beta_arg {
  ldouble x, y;
  double lx, ly;
} beta_arg;

static tw_status beta_inc_xy(double a, double b, beta_arg v, double *ix, double *ixc) {
  if (v.x <= 0 || v.y <= 0) {
    *ix = v.x <= 0 ? 0 : 1;
    *ixc = 1 - *ix;
    return TW_OK;
  }
  const double bt = exp(a * v.lx + b * v.ly - log_beta(a, b));
  double cf;
  if (v.x < (a + 1) / (a + b + 2)) {
    TW_TRY(beta_cf(a, b, v.x, &cf));
    *ix = bt * cf / a;
    *ixc = 1 - *ix;
  } else {
    TW_TRY(beta_cf(b, a, v.y, &cf));
    *ixc = bt * cf / b;
    *ix = 1 - *ixc;
  }
  return TW_OK;
}

tw_status tw_beta_inc(double a, double b, double x, double *ix, double *ixc) {
  if (!ix || !ixc) return TW_FAIL(TW_ERR_INPUT, "incomplete beta: NULL result");
  if (!(a > 0) || !(b > 0) || !isfinite(a) || !isfinite(b) || !(x >= 0 && x <= 1))
    return TW_FAIL(TW_ERR_INPUT, "incomplete beta: needs a, b > 0 and 0 <= x <= 1 (a=%g b=%g x=%g)", a, b, x);
  return beta_inc_xy(a, b, (beta_arg){x, 1.0 - x, log(x), log1p(-x)}, ix, ixc);
}

/* ---- Student t ------------------------------------------------------------ */

static tw_status t_check(double t, double df, const void *out, const char *what) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "t %s: NULL result", what);
  if (!(df > 0)) return TW_FAIL(TW_ERR_INPUT, "t %s: degrees of freedom %g not > 0", what, df);
  if (isnan(t)) return TW_FAIL(TW_ERR_INPUT, "t %s: argument is NaN", what);
  return TW_OK;
}

/* P(|T| > |t|) and P(|T| < |t|) for finite df: I_x(df/2, 1/2), x = df/(df+t^2). */
static tw_status t_two_tails(double t, double df, double *outside, double *inside) {
  const double at = fabs(t);
  if (isinf(at)) {
    *outside = 0;
    *inside = 1;
    return TW_OK;
  }
  if (at == 0) {
    *outside = 1;
    *inside = 0;
    return TW_OK;
  }
  beta_arg v; /* x = df / (df + t^2), y = t^2 / (df + t^2) */
  if (at > 1e150) {
    const double r = (df / at) / at; /* df / t^2 */
    v = (beta_arg){r, 1, log(df) - 2 * log(at) - log1p(r), -log1p(r)};
  } else {
    const ldouble t2 = (ldouble)at * at, s = df + t2;
    v = (beta_arg){df / s, t2 / s, -log1p((double)(t2 / df)), -log1p((double)(df / t2))};
  }
  return beta_inc_xy(0.5 * df, 0.5, v, outside, inside);
}

tw_status tw_t_sf(double t, double df, double *q) {
  TW_TRY(t_check(t, df, q, "sf"));
  if (isinf(df)) {
    *q = tw_norm_sf(t);
    return TW_OK;
  }
  double out, in;
  TW_TRY(t_two_tails(t, df, &out, &in));
  *q = t > 0 ? 0.5 * out : (t < 0 ? 0.5 + 0.5 * in : 0.5);
  return TW_OK;
}

tw_status tw_t_cdf(double t, double df, double *p) {
  TW_TRY(t_check(t, df, p, "cdf"));
  return tw_t_sf(-t, df, p);
}

tw_status tw_t_pdf(double t, double df, double *f) {
  TW_TRY(t_check(t, df, f, "pdf"));
  if (isinf(df)) {
    *f = tw_norm_pdf(t);
    return TW_OK;
  }
  const double at = fabs(t);
  /* ln(1 + t^2/df), without overflowing t^2 */
  const double l1p = at > 1e150 ? 2 * log(at) - log(df) + log1p(df / at / at) : log1p(at * at / df);
  *f = exp(-log_beta(0.5 * df, 0.5) - 0.5 * log(df) - 0.5 * (df + 1) * l1p);
  return TW_OK;
}

/* G(u), increasing in u = ln t, and dG/du, whose root is the t > 0 with sf = q
** (0 < q < 1/2). Centre (q >= 1/4): ln P(0 < T < t) - ln(1/2 - q); tail:
** ln q - ln P(T > t). Both sides keep full relative precision. */
static tw_status t_isf_g(double u, double q, double df, double *g, double *dg) {
  const double t = exp(u);
  double out, in, f;
  TW_TRY(t_two_tails(t, df, &out, &in));
  TW_TRY(tw_t_pdf(t, df, &f));
  if (q >= 0.25) {
    *g = log(0.5 * in) - log(0.5 - q);
    *dg = t * f / (0.5 * in);
  } else {
    *g = log(q) - log(0.5 * out);
    *dg = t * f / (0.5 * out);
  }
  return TW_OK;
}

/* The t > 0 with sf(t) = q, 0 < q < 1/2, finite df: safeguarded Newton in ln t.
** The bracket starts at the normal quantile (t's is never smaller). */
static tw_status t_isf_upper(double q, double df, double *t) {
  double g = 0, dg = 0; /* set by t_isf_g before any use; initialised for -O3's flow analysis */
  double lo = log(tw_normal_isf(q)), hi = lo, step = 1;
  for (;;) { /* grow hi until G(hi) > 0 */
    hi += step;
    step *= 2;
    TW_TRY(t_isf_g(hi, q, df, &g, &dg));
    if (g > 0) break;
    lo = hi;
    if (hi > 800) return TW_FAIL(TW_ERR_NUMERIC, "t isf: no bracket for q=%g df=%g", q, df);
  }
  double u = 0.5 * (lo + hi);
  for (int it = 0; it < 400; it++) {
    TW_TRY(t_isf_g(u, q, df, &g, &dg));
    if (g == 0) break;
    if (g < 0) lo = u;
    else hi = u;
    double next = u - g / dg;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double delta = fabs(next - u);
    u = next;
    if (delta <= 1e-15 * (1 + fabs(u)) || hi - lo <= 1e-15 * (1 + fabs(u))) {
      *t = exp(u);
      return TW_OK;
    }
  }
  if (g == 0) {
    *t = exp(u);
    return TW_OK;
  }
  return TW_FAIL(TW_ERR_NUMERIC, "t isf: did not converge for q=%g df=%g", q, df);
}

tw_status tw_t_isf(double q, double df, double *t) {
  if (!t || !(df > 0) || !(q >= 0 && q <= 1))
    return TW_FAIL(TW_ERR_INPUT, "t isf: needs 0 <= q <= 1 and df > 0 (q=%g df=%g)", q, df);
  if (isinf(df)) return tw_norm_isf(q, t);
  if (q == 0) *t = INFINITY;
  else if (q == 1) *t = -INFINITY;
  else if (q == 0.5) *t = 0;
  else if (q < 0.5) TW_TRY(t_isf_upper(q, df, t));
  else {
    TW_TRY(t_isf_upper(1.0 - q, df, t));
    *t = -*t;
  }
  return TW_OK;
}

tw_status tw_t_ppf(double p, double df, double *t) {
  TW_TRY(tw_t_isf(p, df, t));
  *t = -*t;
  return TW_OK;
}
