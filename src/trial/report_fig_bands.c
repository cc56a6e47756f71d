/*
** report_fig_bands.c: figure (a) of report.html, the percentile bands of the
** observable (glucose or a concentration) over time, one panel per arm on a
** shared scale: 5th-95th and 25th-75th percentiles shaded, the median as a
** line, the warm-up shaded grey.
**
** Input: info->bands (trial_results.h), q (A, 5, T). Times where a percentile
** is not finite are left out of the curves. Long runs are thinned to at most
** about 1,500 points per curve (every k-th time): a picture, not the data.
*/
#include <math.h>
#include <stdio.h>

#include "trial/report_internal.h"

enum { W = 960, LEFT = 70, RIGHT = 20, PANEL_H = 190, GAP = 36, TOP = 28, BOTTOM = 48, MAX_POINTS = 1500 };

static double q_at(const tw_trial_bands *b, int a, int k, int64_t t) { return b->q[((int64_t)a * 5 + k) * b->n_times + t]; }

static int finite_at(const tw_trial_bands *b, int a, int64_t t) {
  int ok = isfinite(b->time_min[t]);
  for (int k = 0; k < 5; k++) ok = ok && isfinite(q_at(b, a, k, t));
  return ok;
}

/* The range of every finite percentile of every arm; 0 when there is none. */
static int value_range(const tw_trial_bands *b, int n_arms, double *lo, double *hi) {
  int any = 0;
  *lo = INFINITY, *hi = -INFINITY;
  for (int a = 0; a < n_arms; a++)
    for (int64_t t = 0; t < b->n_times; t++)
      if (finite_at(b, a, t)) {
        any = 1;
        *lo = fmin(*lo, q_at(b, a, 0, t));
        *hi = fmax(*hi, q_at(b, a, 4, t));
      }
  return any;
}

typedef struct panel {
  const tw_trial_bands *b;
  tw_rep_scale x, y;
  double unit;
  int64_t stride;
} panel;

static void point(FILE *f, const panel *p, int a, int k, int64_t t, char cmd) {
  fprintf(f, "%c%.1f %.1f", cmd, tw_rep_map(&p->x, p->b->time_min[t] / p->unit), tw_rep_map(&p->y, q_at(p->b, a, k, t)));
}

/* The curve of percentile k forward (or backward), continuing a path. */
static void curve(FILE *f, const panel *p, int a, int k, int forward, int *started) {
  for (int64_t j = 0; j < p->b->n_times; j += p->stride) {
    const int64_t t = forward ? j : p->b->n_times - 1 - j;
    if (!finite_at(p->b, a, t)) continue;
    point(f, p, a, k, t, *started ? 'L' : 'M');
    *started = 1;
  }
}

static void band(FILE *f, const panel *p, int a, int k_lo, int k_hi, double opacity) {
  int started = 0;
  fprintf(f, "<path class=\"tw-mark\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" d=\"", tw_rep_color(a), opacity);
  curve(f, p, a, k_hi, 1, &started);
  curve(f, p, a, k_lo, 0, &started);
  fputs("Z\"/>\n", f);
}

static void median(FILE *f, const panel *p, int a) {
  int started = 0;
  fprintf(f, "<path class=\"tw-mark\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" d=\"", tw_rep_color(a));
  curve(f, p, a, 2, 1, &started);
  fputs("\"/>\n", f);
}

static void warmup(FILE *f, const panel *p) {
  const double end = fmin((double)p->b->warmup_min / p->unit, p->x.d1);
  if (end <= p->x.d0) return;
  const double x0 = tw_rep_map(&p->x, p->x.d0), x1 = tw_rep_map(&p->x, end);
  fprintf(f, "<rect class=\"warm\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", x0, p->y.p1, x1 - x0,
          p->y.p0 - p->y.p1);
  tw_rep_text(f, x0 + 4, p->y.p1 + 12, "start", "tick", "warm-up");
}

static void arm_panel(const tw_report *r, panel *p, int a, double y0) {
  const tw_trial_bands *b = p->b;
  p->y.p0 = y0 + PANEL_H, p->y.p1 = y0;
  warmup(r->f, p);
  char title[128];
  snprintf(title, sizeof title, "%s (%s)", b->observable ? b->observable : "", b->units ? b->units : "");
  tw_rep_axis_y(r->f, &p->y, LEFT, W - RIGHT, title);
  tw_rep_text(r->f, LEFT + 8, y0 - 8, "start", "panel", r->d->arms[a]);
  band(r->f, p, a, 0, 4, 0.18);
  band(r->f, p, a, 1, 3, 0.38);
  median(r->f, p, a);
}

static void caption(const tw_report *r, const tw_trial_bands *b) {
  tw_rep_caption_open(r->f);
  fputs("Figure 1. ", r->f);
  tw_rep_esc(r->f, b->observable);
  fprintf(r->f, " over time per arm, over %lld twins: median (line), 25th&#8211;75th and 5th&#8211;95th percentiles "
          "(shaded). The warm-up (grey) is not part of any endpoint.", (long long)b->n_twins);
  tw_rep_caption_close(r->f);
}

void tw_rep_fig_bands(const tw_report *r) {
  const tw_trial_bands *b = r->info->bands;
  double lo, hi;
  fputs("<h3>The observable over time</h3>\n", r->f);
  if (!b || b->n_times < 1 || !b->q || !b->time_min || !value_range(b, r->d->n_arms, &lo, &hi)) {
    fputs("<p class=\"note\">No band data: percentile bands of the observable over time were not recorded for this "
          "trial (they need saved trajectories).</p>\n", r->f);
    return;
  }
  const char *tname;
  panel p = {b, {0, 0, 0, 0}, {0, 0, 0, 0}, tw_rep_time_unit(b->time_min[b->n_times - 1], &tname), b->n_times / MAX_POINTS + 1};
  const int height = TOP + r->d->n_arms * (PANEL_H + GAP) + BOTTOM - GAP;
  p.x = tw_rep_nice(fmin(0, b->time_min[0] / p.unit), b->time_min[b->n_times - 1] / p.unit, 6, LEFT, W - RIGHT);
  p.y = tw_rep_nice(lo, hi, 5, 0, 0);
  tw_rep_fig_open(r->f, "bands", W, height, "percentile bands over time per arm");
  for (int a = 0; a < r->d->n_arms; a++) arm_panel(r, &p, a, TOP + a * (PANEL_H + GAP));
  tw_rep_axis_x(r->f, &p.x, height - BOTTOM, tname);
  caption(r, b);
}
