/*
** report_fig_dist.c: figure (b) of report.html, the distribution of every
** endpoint per arm: small multiples, one panel per endpoint on its own scale,
** a horizontal box plot per arm (box: 25th-75th percentile, bar: median,
** whiskers: 5th-95th percentile, dots: minimum and maximum, white circle:
** mean), from the twins finite in the arm.
**
** Endpoints with no finite value in any arm have no panel; the page lists
** them under the figure. Percentiles as numpy's linear method
** (tw_stat_quantile_sorted), so the box matches the endpoint table.
*/
#include <math.h>
#include <stdlib.h>

#include "trial/report_internal.h"
#include "trial/stats_internal.h"

enum { W = 960, COLS = 2, PANEL_W = 470, LABEL_W = 118, ROW_H = 26, HEAD = 30, AXIS_H = 46, GAP = 22 };

/* One arm's five-number summary, mean, extremes. */
typedef struct arm_dist {
  size_t n;
  double p05, q1, med, q3, p95, min, max, mean;
} arm_dist;

/* Copies the finite values of endpoint e in arm a into buf, sorted; returns n. */
static size_t finite_sorted(const tw_trial_data *d, int e, int a, double *buf) {
  size_t n = 0;
  for (int64_t i = 0; i < d->n_twins; i++) {
    const double v = tw_rep_value(d, e, i, a);
    if (isfinite(v)) buf[n++] = v;
  }
  tw_stat_sort(buf, n);
  return n;
}

static arm_dist describe(const double *x, size_t n) {
  arm_dist s = {n, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
  if (n == 0) return s;
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  s.p05 = tw_stat_quantile_sorted(x, n, 0.05), s.q1 = tw_stat_quantile_sorted(x, n, 0.25);
  s.med = tw_stat_quantile_sorted(x, n, 0.5), s.q3 = tw_stat_quantile_sorted(x, n, 0.75);
  s.p95 = tw_stat_quantile_sorted(x, n, 0.95), s.min = x[0], s.max = x[n - 1], s.mean = sum / (double)n;
  return s;
}

static int has_finite(const tw_trial_data *d, int e) {
  for (int64_t i = 0; i < d->n_twins; i++)
    for (int a = 0; a < d->n_arms; a++)
      if (isfinite(tw_rep_value(d, e, i, a))) return 1;
  return 0;
}

static void box(FILE *f, const tw_rep_scale *x, const arm_dist *s, double yc, const char *color) {
  const double x1 = tw_rep_map(x, s->q1), x3 = tw_rep_map(x, s->q3), xm = tw_rep_map(x, s->med);
  if (s->p95 > s->p05) /* a whisker of no length is no mark: every value equal */
    fprintf(f, "<line class=\"tw-mark\" stroke=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", color,
            tw_rep_map(x, s->p05), yc, tw_rep_map(x, s->p95), yc);
  fprintf(f, "<rect class=\"tw-mark\" fill=\"%s\" fill-opacity=\"0.3\" stroke=\"%s\" x=\"%.1f\" y=\"%.1f\" "
          "width=\"%.1f\" height=\"16\"/>\n", color, color, x1, yc - 8, x3 - x1);
  fprintf(f, "<line class=\"tw-mark\" stroke=\"%s\" stroke-width=\"2.5\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
          "y2=\"%.1f\"/>\n", color, xm, yc - 8, xm, yc + 8);
  fprintf(f, "<circle class=\"tw-mark\" fill=\"%s\" r=\"2.2\" cx=\"%.1f\" cy=\"%.1f\"/>\n", color,
          tw_rep_map(x, s->min), yc);
  fprintf(f, "<circle class=\"tw-mark\" fill=\"%s\" r=\"2.2\" cx=\"%.1f\" cy=\"%.1f\"/>\n", color,
          tw_rep_map(x, s->max), yc);
  fprintf(f, "<circle class=\"tw-mark\" fill=\"#fff\" stroke=\"#222\" r=\"3\" cx=\"%.1f\" cy=\"%.1f\"/>\n",
          tw_rep_map(x, s->mean), yc);
}

static double panel_h(const tw_trial_data *d) { return HEAD + d->n_arms * ROW_H + AXIS_H; }

/* Panel of endpoint e at (x0, y0); s: (A) the arms' summaries. */
static void panel(const tw_report *r, int e, const arm_dist *s, double x0, double y0) {
  double lo = INFINITY, hi = -INFINITY;
  for (int a = 0; a < r->d->n_arms; a++)
    if (s[a].n) lo = fmin(lo, s[a].min), hi = fmax(hi, s[a].max);
  const tw_rep_scale x = tw_rep_nice(lo, hi, 6, x0 + LABEL_W, x0 + PANEL_W - 24);
  char title[160];
  snprintf(title, sizeof title, "%s (%s)", r->d->ep_names[e], r->d->ep_units[e] ? r->d->ep_units[e] : "");
  tw_rep_text(r->f, x0 + 4, y0 + 16, "start", "panel", title);
  for (int a = 0; a < r->d->n_arms; a++) {
    const double yc = y0 + HEAD + ROW_H * (a + 0.5);
    tw_rep_text(r->f, x.p0 - 8, yc + 4, "end", "legend", r->d->arms[a]);
    if (s[a].n) box(r->f, &x, &s[a], yc, tw_rep_color(a));
    else tw_rep_text(r->f, x.p0 + 4, yc + 4, "start", "note", "no finite value");
  }
  tw_rep_axis_x(r->f, &x, y0 + HEAD + r->d->n_arms * ROW_H + 4, r->d->ep_units[e] ? r->d->ep_units[e] : "");
}

static void draw_panel(const tw_report *r, int e, int slot, double *buf, arm_dist *s) {
  for (int a = 0; a < r->d->n_arms; a++) s[a] = describe(buf, finite_sorted(r->d, e, a, buf));
  panel(r, e, s, (slot % COLS) * PANEL_W, (slot / COLS) * (panel_h(r->d) + GAP));
}

static void skipped_note(const tw_report *r) {
  int first = 1;
  for (int e = 0; e < r->d->n_endpoints; e++) {
    if (has_finite(r->d, e)) continue;
    fputs(first ? "<p class=\"note\">No finite value in any arm, so no panel: " : ", ", r->f);
    tw_rep_esc(r->f, r->d->ep_names[e]);
    first = 0;
  }
  if (!first) fputs(".</p>\n", r->f);
}

static void caption(const tw_report *r) {
  tw_rep_caption_open(r->f);
  fputs("Figure 2. Distribution of each endpoint per arm over the twins with a finite value: box "
        "25th&#8211;75th percentile, bar median, whiskers 5th&#8211;95th percentile, dots minimum and maximum, "
        "white circle mean. Each panel has its own scale.", r->f);
  tw_rep_caption_close(r->f);
}

static void draw_all(const tw_report *r, int panels, double *buf, arm_dist *s) {
  const int height = (int)ceil((double)((panels + COLS - 1) / COLS) * (panel_h(r->d) + GAP));
  tw_rep_fig_open(r->f, "distributions", W, height, "distribution of each endpoint per arm");
  for (int e = 0, slot = 0; e < r->d->n_endpoints; e++)
    if (has_finite(r->d, e)) draw_panel(r, e, slot++, buf, s);
  caption(r);
}

tw_status tw_rep_fig_distributions(const tw_report *r) {
  int panels = 0;
  for (int e = 0; e < r->d->n_endpoints; e++) panels += has_finite(r->d, e);
  fputs("<h3>Endpoint distributions</h3>\n", r->f);
  if (panels == 0) {
    fputs("<p class=\"note\">No endpoint has a finite value in any arm: no distributions to show.</p>\n", r->f);
    return TW_OK;
  }
  double *buf = malloc(sizeof *buf * (size_t)(r->d->n_twins > 0 ? r->d->n_twins : 1));
  arm_dist *s = malloc(sizeof *s * (size_t)r->d->n_arms);
  if (!buf || !s) {
    free(buf);
    free(s);
    return TW_FAIL(TW_ERR_NOMEM, "report: no memory for %lld values", (long long)r->d->n_twins);
  }
  draw_all(r, panels, buf, s);
  free(buf);
  free(s);
  skipped_note(r);
  return TW_OK;
}
