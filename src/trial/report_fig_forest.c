/*
** report_fig_forest.c: figure (c) of report.html, a forest plot of every
** comparison "arm minus reference": one row per endpoint and arm, the
** difference and its CI (the t test's: paired for a crossover, Welch for a
** parallel design).
**
** Endpoints have different units, so the rows share one axis in standard
** deviations: the difference and its CI divided by the pooled SD of the two
** arms, sqrt((sd_arm^2 + sd_ref^2) / 2). The text column gives the difference
** and CI in the endpoint's own units, and the t test's p-value. A row whose
** CI is not estimable (or whose arms have no SD) shows the reason instead of
** a mark.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "trial/report_internal.h"

enum { W = 960, PLOT_X0 = 250, PLOT_X1 = 610, TEXT_X = 630, ROW_H = 24, TOP = 34, AXIS_H = 50 };

/* The pooled SD that standardises comparison c of endpoint e; NaN if none. */
static double pooled_sd(const tw_report *r, int e, const tw_trial_comparison *c) {
  const tw_stat_summary *s = r->a->ep[e].arms, *x = &s[c->arm], *ref = &s[r->d->reference_arm];
  if (x->sd_est != TW_STAT_ESTIMABLE || ref->sd_est != TW_STAT_ESTIMABLE) return NAN;
  const double sd = sqrt(0.5 * (x->sd * x->sd + ref->sd * ref->sd));
  return sd > 0 ? sd : NAN;
}

static int drawable(const tw_report *r, int e, const tw_trial_comparison *c) {
  return c->t.est == TW_STAT_ESTIMABLE && isfinite(c->t.ci_lo) && isfinite(c->t.ci_hi) && isfinite(pooled_sd(r, e, c));
}

static int n_rows(const tw_report *r) { return r->d->n_endpoints * (r->d->n_arms - 1); }

static const tw_trial_comparison *row_comp(const tw_report *r, int row, int *e) {
  *e = row / (r->d->n_arms - 1);
  return &r->a->ep[*e].comp[row % (r->d->n_arms - 1)];
}

/* The range of the standardised CIs, 0 included; returns the drawable rows. */
static int std_range(const tw_report *r, double *lo, double *hi) {
  int n = 0, e;
  *lo = 0, *hi = 0;
  for (int row = 0; row < n_rows(r); row++) {
    const tw_trial_comparison *c = row_comp(r, row, &e);
    if (!drawable(r, e, c)) continue;
    *lo = fmin(*lo, c->t.ci_lo / pooled_sd(r, e, c)), *hi = fmax(*hi, c->t.ci_hi / pooled_sd(r, e, c));
    n++;
  }
  return n;
}

static void row_label(const tw_report *r, int e, const tw_trial_comparison *c, double y) {
  char label[200];
  if (r->d->n_arms > 2)
    snprintf(label, sizeof label, "%s: %s", r->d->ep_names[e], r->d->arms[c->arm]);
  else
    snprintf(label, sizeof label, "%s", r->d->ep_names[e]);
  tw_rep_text(r->f, PLOT_X0 - 10, y + 4, "end", "legend", label);
}

static void row_text(const tw_report *r, int e, const tw_trial_comparison *c, double y) {
  char d[32], lo[32], hi[32], p[32];
  fprintf(r->f, "<text x=\"%d\" y=\"%.1f\" class=\"legend\">%s [%s, %s]", TEXT_X, y + 4,
          tw_rep_num(c->t.estimate, d), tw_rep_num(c->t.ci_lo, lo), tw_rep_num(c->t.ci_hi, hi));
  const char *units = r->d->ep_units[e];
  if (units && *units && strcmp(units, "1") != 0) { /* "1": a count or fraction, no unit to show */
    fputc(' ', r->f);
    tw_rep_esc(r->f, units);
  }
  fprintf(r->f, ", p = %s</text>\n", tw_rep_p(c->t.p_value, p));
}

static void row_mark(const tw_report *r, int e, const tw_trial_comparison *c, const tw_rep_scale *x, double y) {
  const double sd = pooled_sd(r, e, c), xe = tw_rep_map(x, c->t.estimate / sd);
  const char *color = tw_rep_color(c->arm);
  fprintf(r->f, "<line class=\"tw-mark\" stroke=\"%s\" stroke-width=\"1.6\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
          "y2=\"%.1f\"/>\n", color, tw_rep_map(x, c->t.ci_lo / sd), y, tw_rep_map(x, c->t.ci_hi / sd), y);
  fprintf(r->f, "<rect class=\"tw-mark\" fill=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"/>\n", color,
          xe - 4, y - 4);
  row_text(r, e, c, y);
}

static void row(const tw_report *r, int i, const tw_rep_scale *x) {
  int e;
  const tw_trial_comparison *c = row_comp(r, i, &e);
  const double y = TOP + ROW_H * (i + 0.5);
  row_label(r, e, c, y);
  if (drawable(r, e, c)) row_mark(r, e, c, x, y);
  else if (c->t.est != TW_STAT_ESTIMABLE) tw_rep_text(r->f, PLOT_X0 + 4, y + 4, "start", "note", tw_stat_est_text(c->t.est));
  else tw_rep_text(r->f, PLOT_X0 + 4, y + 4, "start", "note", "not estimable: no standard deviation to scale by");
}

static void caption(const tw_report *r) {
  char lv[16];
  tw_rep_caption_open(r->f);
  fputs("Figure 3. Differences arm &#8722; reference (", r->f);
  tw_rep_esc(r->f, r->d->arms[r->d->reference_arm]);
  fprintf(r->f, ") with %s%% confidence intervals (%s), in units of the pooled SD of the two arms, so that endpoints "
          "share one axis; the numbers on the right are in each endpoint's own units.",
          tw_rep_level(r->d, lv), r->d->design == TW_DESIGN_CROSSOVER ? "paired t" : "Welch");
  tw_rep_caption_close(r->f);
}

void tw_rep_fig_forest(const tw_report *r) {
  double lo, hi;
  fputs("<h3>Differences between arms</h3>\n", r->f);
  if (std_range(r, &lo, &hi) == 0) {
    fputs("<p class=\"note\">No comparison has an estimable confidence interval: no forest plot (the comparison "
          "table gives the reasons).</p>\n", r->f);
    return;
  }
  const int height = TOP + n_rows(r) * ROW_H + AXIS_H;
  const tw_rep_scale x = tw_rep_nice(lo, hi, 6, PLOT_X0, PLOT_X1);
  const double zero = tw_rep_map(&x, 0);
  tw_rep_fig_open(r->f, "forest", W, height, "forest plot of the differences between arms");
  tw_rep_text(r->f, TEXT_X, TOP - 12, "start", "title", "difference [CI] in units, t test p");
  fprintf(r->f, "<line class=\"zero\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", zero, TOP - 6, zero,
          height - AXIS_H + 2);
  for (int i = 0; i < n_rows(r); i++) row(r, i, &x);
  tw_rep_axis_x(r->f, &x, height - AXIS_H + 4, "difference / pooled SD");
  caption(r);
}
