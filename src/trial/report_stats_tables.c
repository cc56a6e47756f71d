/*
** report_stats_tables.c: the result tables of report.html: per-arm summaries
** of every endpoint, the comparisons with the reference arm (difference, CI,
** parametric and rank tests), responders, and time to event.
**
** A statistic that is not estimable is shown as its reason
** (tw_stat_est_text: "not estimable: ..."), never as a number.
*/
#include <stdio.h>

#include "trial/report_internal.h"

static int crossover(const tw_report *r) { return r->d->design == TW_DESIGN_CROSSOVER; }

static void group_row(FILE *f, int cols, const char *name, const char *units) {
  fprintf(f, "<tr class=\"grp\"><td colspan=\"%d\">", cols);
  tw_rep_esc(f, name);
  if (units && *units) {
    fputs(" (", f);
    tw_rep_esc(f, units);
    fputc(')', f);
  }
  fputs("</td></tr>\n", f);
}

static void td_text(FILE *f, const char *s) {
  fputs("<td class=\"l\">", f);
  tw_rep_esc(f, s);
  fputs("</td>", f);
}

/* "<td>[lo, hi]</td>", or the reason when not estimable. */
static void td_ci(FILE *f, double lo, double hi, tw_stat_est est) {
  char a[32], b[32];
  if (est != TW_STAT_ESTIMABLE) tw_rep_td_ne(f, est, 1);
  else fprintf(f, "<td>[%s, %s]</td>", tw_rep_num(lo, a), tw_rep_num(hi, b));
}

static void td_p(FILE *f, double p, tw_stat_est est) {
  char b[32];
  if (est != TW_STAT_ESTIMABLE) tw_rep_td_ne(f, est, 1);
  else fprintf(f, "<td>%s</td>", tw_rep_p(p, b));
}

static void comparison_label(FILE *f, const tw_report *r, int arm) {
  fputs("<td class=\"l\">", f);
  tw_rep_esc(f, r->d->arms[arm]);
  fputs(" &#8722; ", f);
  tw_rep_esc(f, r->d->arms[r->d->reference_arm]);
  fputs("</td>", f);
}

static void summary_row(FILE *f, const char *arm, const tw_stat_summary *s) {
  fputs("<tr><td></td>", f);
  td_text(f, arm);
  fprintf(f, "<td>%zu</td>", s->n);
  if (s->est != TW_STAT_ESTIMABLE) tw_rep_td_ne(f, s->est, 5);
  else {
    tw_rep_td_num(f, s->mean);
    if (s->sd_est != TW_STAT_ESTIMABLE) tw_rep_td_ne(f, s->sd_est, 1);
    else tw_rep_td_num(f, s->sd);
    tw_rep_td_num(f, s->median);
    tw_rep_td_num(f, s->q1);
    tw_rep_td_num(f, s->q3);
  }
  fputs("</tr>\n", f);
}

void tw_rep_endpoint_table(const tw_report *r) {
  fputs("<h2>Endpoints</h2>\n<p>Per arm, over the twins with a finite value there; SD with ddof 1; quartiles as "
        "numpy's linear percentile.</p>\n<table><tr><th>Endpoint</th><th>Arm</th><th>n</th><th>Mean</th><th>SD</th>"
        "<th>Median</th><th>Q1</th><th>Q3</th></tr>\n", r->f);
  for (int e = 0; e < r->d->n_endpoints; e++) {
    group_row(r->f, 8, r->d->ep_names[e], r->d->ep_units[e]);
    for (int a = 0; a < r->d->n_arms; a++) summary_row(r->f, r->d->arms[a], &r->a->ep[e].arms[a]);
  }
  fputs("</table>\n", r->f);
}

/* n of a comparison: the pairs (crossover) or both arms' twins (parallel). */
static size_t comparison_n(const tw_report *r, int e, const tw_trial_comparison *c) {
  const tw_stat_summary *s = r->a->ep[e].arms;
  return crossover(r) ? (size_t)c->n_pairs : s[c->arm].n + s[r->d->reference_arm].n;
}

static void comparison_row(const tw_report *r, int e, const tw_trial_comparison *c) {
  fputs("<tr><td></td>", r->f);
  comparison_label(r->f, r, c->arm);
  fprintf(r->f, "<td>%zu</td>", comparison_n(r, e, c));
  tw_rep_td_num(r->f, c->t.estimate);
  if (c->t.est != TW_STAT_ESTIMABLE) tw_rep_td_ne(r->f, c->t.est, 2); /* CI and p: one reason */
  else {
    td_ci(r->f, c->t.ci_lo, c->t.ci_hi, TW_STAT_ESTIMABLE);
    td_p(r->f, c->t.p_value, TW_STAT_ESTIMABLE);
  }
  td_p(r->f, c->rank.p_value, c->rank.est);
  fputs("</tr>\n", r->f);
}

void tw_rep_comparison_table(const tw_report *r) {
  char lv[16];
  const int x = crossover(r);
  fprintf(r->f, "<h2>Comparisons</h2>\n<p>Each arm minus the reference: %s.</p>\n<table><tr><th>Endpoint</th>"
          "<th>Comparison</th><th>n%s</th><th>Difference</th><th>%s%% CI</th><th>%s p</th><th>%s p</th></tr>\n",
          x ? "the mean paired difference, CI from t(n&#8722;1)" : "the difference of means, Welch CI",
          x ? " (pairs)" : "", tw_rep_level(r->d, lv), x ? "Paired t" : "Welch t", x ? "Wilcoxon" : "Mann-Whitney");
  for (int e = 0; e < r->d->n_endpoints; e++) {
    group_row(r->f, 7, r->d->ep_names[e], r->d->ep_units[e]);
    for (int k = 0; k < r->d->n_arms - 1; k++) comparison_row(r, e, &r->a->ep[e].comp[k]);
  }
  fputs("</table>\n", r->f);
}

static void responder_arm_row(const tw_report *r, int a) {
  const tw_trial_responder_result *q = &r->a->resp;
  char p[32];
  fputs("<tr>", r->f);
  td_text(r->f, r->d->arms[a]);
  fprintf(r->f, "<td>%zu / %zu</td>", q->count[a], q->n[a]);
  if (q->rate[a].est != TW_STAT_ESTIMABLE) tw_rep_td_ne(r->f, q->rate[a].est, 2);
  else {
    fprintf(r->f, "<td>%s%%</td>", tw_rep_num(100 * q->rate[a].estimate, p));
    td_ci(r->f, 100 * q->rate[a].lo, 100 * q->rate[a].hi, TW_STAT_ESTIMABLE);
  }
  fputs("</tr>\n", r->f);
}

static void responder_comp_row(const tw_report *r, int k, int arm) {
  const tw_trial_responder_result *q = &r->a->resp;
  char p[32];
  fputs("<tr>", r->f);
  comparison_label(r->f, r, arm);
  fprintf(r->f, "<td>%s%%</td>", tw_rep_num(100 * q->diff[k].estimate, p));
  if (crossover(r)) fprintf(r->f, "<td class=\"l\">discordant pairs b = %zu, c = %zu</td>", q->b[k], q->c[k]);
  else td_ci(r->f, 100 * q->diff[k].lo, 100 * q->diff[k].hi, q->diff[k].est);
  td_p(r->f, q->test[k].p_value, q->test[k].est);
  fputs("</tr>\n", r->f);
}

static void responder_rule(const tw_report *r) {
  const tw_trial_responder *rule = &r->d->responder;
  char t[32];
  fputs("<p>A twin responds in an arm when ", r->f);
  tw_rep_esc(r->f, r->d->ep_names[rule->ep]);
  fprintf(r->f, " %s %s ", rule->above ? "&#8805;" : "&#8804;", tw_rep_num(rule->threshold, t));
  tw_rep_esc(r->f, r->d->ep_units[rule->ep]);
  fputs(". Rates with Wilson intervals.</p>\n", r->f);
}

void tw_rep_responder_table(const tw_report *r) {
  char lv[16];
  const int x = crossover(r);
  fputs("<h2>Responders</h2>\n", r->f);
  if (r->d->responder.ep < 0 || r->d->responder.ep >= r->d->n_endpoints) {
    fputs("<p class=\"note\">No responder analysis was asked for.</p>\n", r->f);
    return;
  }
  responder_rule(r);
  fprintf(r->f, "<table><tr><th>Arm</th><th>Responders / n</th><th>Rate</th><th>%s%% CI</th></tr>\n",
          tw_rep_level(r->d, lv));
  for (int a = 0; a < r->d->n_arms; a++) responder_arm_row(r, a);
  fprintf(r->f, "</table>\n<table><tr><th>Comparison</th><th>Difference</th><th>%s</th><th>%s p</th></tr>\n",
          x ? "Pairs" : "Newcombe CI", x ? "McNemar exact" : "Fisher exact");
  for (int k = 0, arm = 0; arm < r->d->n_arms; arm++)
    if (arm != r->d->reference_arm) responder_comp_row(r, k++, arm);
  fputs("</table>\n", r->f);
}

static void tte_arm_row(FILE *f, const char *arm, const tw_stat_km *km) {
  char m[32];
  fputs("<tr><td></td>", f);
  td_text(f, arm);
  fprintf(f, "<td>%zu</td><td>%zu</td>", km->n, km->events);
  if (km->est != TW_STAT_ESTIMABLE) tw_rep_td_ne(f, km->est, 4);
  else if (!km->median_reached) fputs("<td>not reached</td><td></td><td></td><td></td>", f);
  else fprintf(f, "<td>%s</td><td></td><td></td><td></td>", tw_rep_num(km->median, m));
  fputs("</tr>\n", f);
}

static void tte_comp_row(const tw_report *r, const tw_trial_tte_result *t, int k, int arm) {
  char h[32];
  fputs("<tr><td></td>", r->f);
  comparison_label(r->f, r, arm);
  fputs("<td></td><td></td><td></td>", r->f);
  td_p(r->f, t->logrank[k].p_value, t->logrank[k].est);
  if (t->cox[k].est != TW_STAT_ESTIMABLE) tw_rep_td_ne(r->f, t->cox[k].est, 2);
  else {
    fprintf(r->f, "<td>%s</td>", tw_rep_num(t->cox[k].hazard_ratio, h));
    td_ci(r->f, t->cox[k].hr_lo, t->cox[k].hr_hi, TW_STAT_ESTIMABLE);
  }
  fputs("</tr>\n", r->f);
}

void tw_rep_tte_table(const tw_report *r) {
  char lv[16];
  fputs("<h2>Time to event</h2>\n", r->f);
  if (r->d->n_tte <= 0) {
    fputs("<p class=\"note\">No time-to-event endpoint in this trial.</p>\n", r->f);
    return;
  }
  fprintf(r->f, "<p>Kaplan-Meier per arm; logrank test and Cox hazard ratio (Efron ties%s) against the "
          "reference.</p>\n<table><tr><th>Event</th><th>Arm</th><th>n</th><th>Events</th><th>Median</th>"
          "<th>Logrank p</th><th>Hazard ratio</th><th>%s%% CI</th></tr>\n",
          crossover(r) ? ", stratified by twin" : "", tw_rep_level(r->d, lv));
  for (int i = 0; i < r->d->n_tte; i++) {
    const tw_trial_tte_result *t = &r->a->tte[i];
    group_row(r->f, 8, r->d->tte[i].name, r->d->ep_units[r->d->tte[i].time_ep]);
    for (int a = 0; a < r->d->n_arms; a++) tte_arm_row(r->f, r->d->arms[a], &t->km[a]);
    for (int k = 0, arm = 0; arm < r->d->n_arms; arm++)
      if (arm != r->d->reference_arm) tte_comp_row(r, t, k++, arm);
  }
  fputs("</table>\n", r->f);
}
