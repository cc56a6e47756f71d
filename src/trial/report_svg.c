/*
** report_svg.c: the SVG primitives of report.html's figures: linear scales
** with round ticks, axes, legends, labels, and the figure frame
** (report_internal.h).
**
** Figures are drawn in their own pixel coordinates (viewBox) and scale with
** the page; text sizes and colours come from the page's CSS (report_style.c).
*/
#include <math.h>
#include <stdio.h>

#include "trial/report_internal.h"

/* A round step near span / ticks: 1, 2, 2.5 or 5 x 10^k. */
static double nice_step(double span, int ticks) {
  const double raw = span / (ticks > 0 ? ticks : 1), mag = pow(10, floor(log10(raw))), r = raw / mag;
  const double m = r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10;
  return m * mag;
}

tw_rep_scale tw_rep_nice(double lo, double hi, int ticks, double p0, double p1) {
  if (!isfinite(lo) || !isfinite(hi) || lo > hi) lo = 0, hi = 1;
  if (hi - lo <= 1e-12 * fmax(1, fabs(lo))) {
    const double w = lo != 0 ? 0.1 * fabs(lo) : 1;
    lo -= w, hi += w;
  }
  const double step = nice_step(hi - lo, ticks);
  tw_rep_scale s = {floor(lo / step) * step, ceil(hi / step) * step, p0, p1};
  return s;
}

double tw_rep_map(const tw_rep_scale *s, double x) { return s->p0 + (x - s->d0) / (s->d1 - s->d0) * (s->p1 - s->p0); }

double tw_rep_tick_step(const tw_rep_scale *s, int ticks) { return nice_step(s->d1 - s->d0, ticks); }

void tw_rep_fig_open(FILE *f, const char *id, int width, int height, const char *label) {
  fputs("<figure class=\"tw-fig\" id=\"fig-", f);
  tw_rep_id(f, id);
  fprintf(f, "\"><svg viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\" aria-label=\"", width, height, width);
  tw_rep_esc(f, label);
  fputs("\">\n", f); /* inline SVG in HTML needs no namespace: no URL anywhere */
}

void tw_rep_caption_open(FILE *f) { fputs("</svg><figcaption>", f); }

void tw_rep_caption_close(FILE *f) { fputs("</figcaption></figure>\n", f); }

void tw_rep_text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *text) {
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
  tw_rep_esc(f, text);
  fputs("</text>\n", f);
}

/* A tick label: the shortest form of a round number ("50", "0.25", "1e+06"). */
static const char *tick_label(double x, double step, char *out) {
  snprintf(out, 32, "%.6g", fabs(x) < 1e-9 * step ? 0 : x);
  return out;
}

/* The ticks of s: k0 .. k1 multiples of the step (a few ULPs of slack). */
static void tick_range(const tw_rep_scale *s, double step, long *k0, long *k1) {
  *k0 = (long)ceil(s->d0 / step - 1e-9);
  *k1 = (long)floor(s->d1 / step + 1e-9);
}

void tw_rep_axis_x(FILE *f, const tw_rep_scale *s, double at, const char *title) {
  const double step = tw_rep_tick_step(s, 6);
  long k0, k1;
  char b[32];
  tick_range(s, step, &k0, &k1);
  fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", s->p0, at, s->p1, at);
  for (long k = k0; k <= k1; k++) {
    const double x = tw_rep_map(s, (double)k * step);
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x, at, x, at + 4);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tick\">%s</text>\n", x, at + 15,
            tick_label((double)k * step, step, b));
  }
  tw_rep_text(f, 0.5 * (s->p0 + s->p1), at + 32, "middle", "title", title);
}

void tw_rep_axis_y(FILE *f, const tw_rep_scale *s, double at, double grid_to, const char *title) {
  const double step = tw_rep_tick_step(s, 5);
  long k0, k1;
  char b[32];
  tick_range(s, step, &k0, &k1);
  fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", at, s->p0, at, s->p1);
  for (long k = k0; k <= k1; k++) {
    const double y = tw_rep_map(s, (double)k * step);
    fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", at, y, grid_to, y);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>\n", at - 5, y + 4,
            tick_label((double)k * step, step, b));
  }
  fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\" class=\"title\">", at - 42,
          0.5 * (s->p0 + s->p1));
  tw_rep_esc(f, title);
  fputs("</text>\n", f);
}

void tw_rep_legend(FILE *f, const tw_trial_data *d, double x, double y) {
  for (int a = 0; a < d->n_arms; a++) {
    const double xa = x + 170.0 * a;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>\n", xa, y - 9, tw_rep_color(a));
    tw_rep_text(f, xa + 19, y, "start", "legend", d->arms[a]);
  }
}

double tw_rep_time_unit(double end_min, const char **title) {
  *title = end_min <= 72 * 60 ? "time (h)" : "time (days)";
  return end_min <= 72 * 60 ? 60 : 1440;
}
