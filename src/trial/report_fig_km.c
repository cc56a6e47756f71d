/*
** report_fig_km.c: figure (d) of report.html, Kaplan-Meier curves per arm,
** one figure per time-to-event endpoint.
**
** Each curve is the analysis' steps (tw_trial_tte_result step_time,
** step_surv): it starts at S = 1 at t = 0, steps down at every event time and
** runs flat to the end of follow-up (the largest time of the endpoint in any
** arm: every twin is censored at the end of the run). An arm without events
** is a flat line at S = 1, and the figure says so. The y axis starts below the
** lowest curve (at 0 when a curve falls under 0.5), so rare events stay visible.
*/
#include <math.h>
#include <stdio.h>

#include "trial/report_internal.h"

enum { W = 960, X0 = 70, X1 = 680, LEG_X = 705, Y0 = 24, Y1 = 290, H = 350 };

/* The end of follow-up of tte i, in minutes: the largest finite time. */
static double follow_up(const tw_report *r, int i) {
  double end = 0;
  for (int64_t t = 0; t < r->d->n_twins; t++)
    for (int a = 0; a < r->d->n_arms; a++) {
      const double v = tw_rep_value(r->d, r->d->tte[i].time_ep, t, a);
      if (isfinite(v)) end = fmax(end, v);
    }
  return end > 0 ? end : (double)r->info->duration_min;
}

static double lowest_s(const tw_trial_tte_result *t, int n_arms) {
  double lo = 1;
  for (int a = 0; a < n_arms; a++)
    for (size_t k = 0; k < t->n_steps[a]; k++) lo = fmin(lo, t->step_surv[a][k]);
  return lo;
}

static tw_rep_scale y_scale(double lowest) {
  const double lo = lowest < 0.5 ? 0 : fmax(0, floor(10 * lowest) / 10 - (lowest > 0.95 ? 0.1 : 0));
  tw_rep_scale s = {lo, 1, Y1, Y0};
  return s;
}

static void curve(const tw_report *r, const tw_trial_tte_result *t, int a, const tw_rep_scale *x, const tw_rep_scale *y,
                  double unit) {
  fprintf(r->f, "<path class=\"tw-mark\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" d=\"M%.1f %.1f",
          tw_rep_color(a), tw_rep_map(x, 0), tw_rep_map(y, 1));
  for (size_t k = 0; k < t->n_steps[a]; k++)
    fprintf(r->f, "H%.1fV%.1f", tw_rep_map(x, t->step_time[a][k] / unit), tw_rep_map(y, t->step_surv[a][k]));
  fprintf(r->f, "H%.1f\"/>\n", x->p1);
}

static void legend(const tw_report *r, const tw_trial_tte_result *t) {
  char line[64];
  for (int a = 0; a < r->d->n_arms; a++) {
    const double y = Y0 + 10 + 40 * a;
    fprintf(r->f, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>\n", LEG_X, y - 9, tw_rep_color(a));
    tw_rep_text(r->f, LEG_X + 19, y, "start", "legend", r->d->arms[a]);
    snprintf(line, sizeof line, "%zu twins, %zu events", t->km[a].n, t->km[a].events);
    tw_rep_text(r->f, LEG_X + 19, y + 15, "start", "tick", line);
  }
}

static int any_events(const tw_trial_tte_result *t, int n_arms) {
  for (int a = 0; a < n_arms; a++)
    if (t->km[a].events > 0) return 1;
  return 0;
}

static void caption(const tw_report *r, int i, const tw_trial_tte_result *t) {
  tw_rep_caption_open(r->f);
  fprintf(r->f, "Figure 4.%d. Kaplan-Meier estimate of the probability of no event &#8220;", i + 1);
  tw_rep_esc(r->f, r->d->tte[i].name);
  fputs("&#8221; per arm, from the end of the warm-up; twins without the event are censored at the end of the run.", r->f);
  if (!any_events(t, r->d->n_arms)) fputs(" <strong>No events in any arm</strong>: every curve stays at 1.", r->f);
  tw_rep_caption_close(r->f);
}

static void figure(const tw_report *r, int i) {
  const tw_trial_tte_result *t = &r->a->tte[i];
  const char *tname;
  const double end = follow_up(r, i), unit = tw_rep_time_unit(end, &tname);
  const tw_rep_scale x = {0, end / unit, X0, X1}, y = y_scale(lowest_s(t, r->d->n_arms));
  char id[160];
  snprintf(id, sizeof id, "km-%s", r->d->tte[i].name);
  tw_rep_fig_open(r->f, id, W, H, "Kaplan-Meier curves per arm");
  tw_rep_axis_y(r->f, &y, X0, X1, "probability of no event");
  tw_rep_axis_x(r->f, &x, Y1 + 4, tname);
  for (int a = 0; a < r->d->n_arms; a++)
    if (t->km[a].n > 0) curve(r, t, a, &x, &y, unit);
  legend(r, t);
  caption(r, i, t);
}

static int any_twins(const tw_trial_tte_result *t, int n_arms) {
  for (int a = 0; a < n_arms; a++)
    if (t->km[a].n > 0) return 1;
  return 0;
}

void tw_rep_fig_km(const tw_report *r) {
  fputs("<h3>Kaplan-Meier curves</h3>\n", r->f);
  if (r->d->n_tte <= 0) fputs("<p class=\"note\">No time-to-event endpoint in this trial.</p>\n", r->f);
  for (int i = 0; i < r->d->n_tte; i++) {
    if (any_twins(&r->a->tte[i], r->d->n_arms)) figure(r, i);
    else {
      fputs("<p class=\"note\">No twin has a time for ", r->f);
      tw_rep_esc(r->f, r->d->tte[i].name);
      fputs(": no Kaplan-Meier curve.</p>\n", r->f);
    }
  }
}
