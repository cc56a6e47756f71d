/*
** report_tables.c: the descriptive sections of report.html: the protocol (the
** config as run, verbatim and escaped), the cohort table and the provenance.
*/
#include <inttypes.h>
#include <stdio.h>

#include "trial/report_internal.h"

void tw_rep_protocol(const tw_report *r) {
  fprintf(r->f, "<h2>Protocol</h2>\n<p>Duration %lld min after a warm-up of %lld min; confidence intervals at %s%%.</p>\n",
          (long long)r->info->duration_min, (long long)r->info->warmup_min, tw_rep_level(r->d, (char[16]){0}));
  fputs("<details><summary>The configuration as run</summary>\n<pre>", r->f);
  tw_rep_esc(r->f, r->info->protocol_text ? r->info->protocol_text : "(not recorded)");
  fputs("</pre></details>\n", r->f);
}

static void cohort_row(FILE *f, const tw_trial_cohort_row *c) {
  fputs("<tr><td>", f);
  tw_rep_esc(f, c->name);
  fputs("</td><td class=\"l\">", f);
  tw_rep_esc(f, c->units);
  fprintf(f, "</td><td>%" PRId64 "</td>", c->n);
  tw_rep_td_num(f, c->mean);
  tw_rep_td_num(f, c->sd);
  tw_rep_td_num(f, c->min);
  tw_rep_td_num(f, c->max);
  fputs("</tr>\n", f);
}

void tw_rep_cohort(const tw_report *r) {
  fprintf(r->f, "<h2>Cohort</h2>\n<p>%lld twins.</p>\n", (long long)r->d->n_twins);
  if (r->info->n_cohort_rows <= 0 || !r->info->cohort) {
    fputs("<p class=\"note\">No cohort covariates were recorded for this trial.</p>\n", r->f);
    return;
  }
  fputs("<table><tr><th>Covariate</th><th>Units</th><th>n</th><th>Mean</th><th>SD</th><th>Min</th><th>Max</th></tr>\n",
        r->f);
  for (int k = 0; k < r->info->n_cohort_rows; k++) cohort_row(r->f, &r->info->cohort[k]);
  fputs("</table>\n", r->f);
}

static void prov_row(FILE *f, const char *key, const char *value) {
  fprintf(f, "<tr><td>%s</td><td class=\"l\">", key);
  tw_rep_esc(f, value);
  fputs("</td></tr>\n", f);
}

void tw_rep_provenance(const tw_report *r) {
  const tw_trial_report_info *in = r->info;
  char seed[32], ranks[32], secs[32];
  snprintf(seed, sizeof seed, "%" PRIu64, in->seed);
  snprintf(ranks, sizeof ranks, "%d", in->ranks);
  snprintf(secs, sizeof secs, "%.3g s", in->seconds);
  fputs("<h2>Provenance</h2>\n<table>\n", r->f);
  prov_row(r->f, "twinscale version", in->version);
  prov_row(r->f, "commit", in->commit);
  prov_row(r->f, "pack", in->pack);
  prov_row(r->f, "backend", in->backend);
  prov_row(r->f, "ranks", ranks);
  prov_row(r->f, "seed", seed);
  prov_row(r->f, "started (UTC)", in->started_utc);
  prov_row(r->f, "wall time", secs);
  prov_row(r->f, "results file", in->results_path);
  prov_row(r->f, "summary", in->summary_path);
  fputs("</table>\n<p class=\"sub\">Written by twinscale. This page is one self-contained file: it loads nothing "
        "from the network or the disk.</p>\n", r->f);
}
