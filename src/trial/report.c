/*
** report.c: tw_trial_report_write (trial_results.h), report.html of a finished
** trial: the file, written atomically, and the order of its sections.
**
** The page is written to "<path>.partial" and renamed over <path> only when
** every byte reached the file (ferror and fclose checked); on any failure the
** partial file is removed, so a reader finds a whole report or none. The
** sections live in report_tables.c, report_stats_tables.c and report_fig_*.c;
** docs/report.md describes the page and how it is checked.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trial/report_internal.h"

static tw_status check_input(const char *path, const tw_trial_data *d, const tw_trial_analysis *a,
                             const tw_trial_report_info *info) {
  if (!path || !d || !a || !info) return TW_FAIL(TW_ERR_INPUT, "report: NULL path, data, analysis or info");
  if (d->n_arms < 2 || !d->arms || d->reference_arm < 0 || d->reference_arm >= d->n_arms)
    return TW_FAIL(TW_ERR_INPUT, "report: %d arms, reference %d: need 2 or more arms and a reference among them",
                   d->n_arms, d->reference_arm);
  if (d->n_twins < 0 || d->n_endpoints < 0 || (d->n_endpoints > 0 && ((!d->values && !d->columns) || !d->ep_names || !d->ep_units)))
    return TW_FAIL(TW_ERR_INPUT, "report: endpoint data missing (%d endpoints)", d->n_endpoints);
  if (a->n_arms != d->n_arms || a->n_endpoints != d->n_endpoints || a->n_tte != d->n_tte)
    return TW_FAIL(TW_ERR_INPUT, "report: the analysis (%d arms, %d endpoints, %d tte) is not of this data (%d, %d, %d)",
                   a->n_arms, a->n_endpoints, a->n_tte, d->n_arms, d->n_endpoints, d->n_tte);
  return TW_OK;
}

static void head(const tw_report *r) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", r->f);
  tw_rep_esc(r->f, r->info->title ? r->info->title : "twinscale trial report");
  fprintf(r->f, "</title>\n<style>\n%s</style>\n<script>\n%s</script>\n</head>\n<body>\n", tw_rep_css, tw_rep_script);
}

/* Twins an arm stopped early, when there are any: their endpoints are left
** out of every statistic, which a reader must know before reading one. */
static void stopped(const tw_report *r) {
  const tw_trial_data *d = r->d;
  int64_t any = 0;
  for (int k = 0; d->stopped && k < 2 * d->n_arms; ++k) any += d->stopped[k];
  if (!any) return;
  fputs("<p class=\"sub\">Twins stopped early, their endpoints left out of the statistics:", r->f);
  for (int a = 0; a < d->n_arms; ++a) {
    fputs(a ? "; " : " ", r->f);
    tw_rep_esc(r->f, d->arms[a]);
    fprintf(r->f, " %lld (%lld failed to integrate, %lld reached a floor of the model, such as plasma glucose at 0)",
            (long long)(d->stopped[2 * a] + d->stopped[2 * a + 1]), (long long)d->stopped[2 * a],
            (long long)d->stopped[2 * a + 1]);
  }
  fputs(". Stopped twins are in <code>/status/flag</code>.</p>\n", r->f);
}

static void title(const tw_report *r) {
  fputs("<h1>", r->f);
  tw_rep_esc(r->f, r->info->title ? r->info->title : "twinscale trial report");
  fprintf(r->f, "</h1>\n<p class=\"sub\">%s design, %lld twins, %d arms (reference: ",
          r->d->design == TW_DESIGN_CROSSOVER ? "Crossover" : "Parallel", (long long)r->d->n_twins, r->d->n_arms);
  tw_rep_esc(r->f, r->d->arms[r->d->reference_arm]);
  fputs("), pack ", r->f);
  tw_rep_esc(r->f, r->info->pack);
  fputs(".</p>\n", r->f);
  stopped(r);
}

static tw_status body(const tw_report *r) {
  head(r);
  title(r);
  tw_rep_protocol(r);
  tw_rep_cohort(r);
  fputs("<h2>Figures</h2>\n", r->f);
  tw_rep_fig_bands(r);
  TW_TRY(tw_rep_fig_distributions(r));
  tw_rep_fig_forest(r);
  tw_rep_fig_km(r);
  tw_rep_endpoint_table(r);
  tw_rep_comparison_table(r);
  tw_rep_responder_table(r);
  tw_rep_tte_table(r);
  tw_rep_provenance(r);
  fputs("</body>\n</html>\n", r->f);
  return TW_OK;
}

/* Writes the page to the open file and closes it; the stream's error state
** and fclose decide whether every byte arrived. */
static tw_status write_and_close(tw_report *r, const char *partial) {
  tw_status st = body(r);
  const int write_failed = ferror(r->f);
  const int close_failed = fclose(r->f) != 0;
  r->f = NULL;
  if (st != TW_OK) return tw_error_trace(st, __FILE__, __LINE__);
  if (write_failed || close_failed) return TW_FAIL(TW_ERR_IO, "%s: writing the report failed", partial);
  return TW_OK;
}

static tw_status write_partial(tw_report *r, const char *partial) {
  r->f = fopen(partial, "wb");
  if (!r->f) return TW_FAIL(TW_ERR_IO, "%s: cannot open for writing: %s", partial, strerror(errno));
  TW_TRY(write_and_close(r, partial));
  return TW_OK;
}

static tw_status write_file(tw_report *r, const char *path, const char *partial) {
  TW_TRY(write_partial(r, partial));
  if (rename(partial, path) != 0)
    return TW_FAIL(TW_ERR_IO, "%s: cannot rename to %s: %s", partial, path, strerror(errno));
  return TW_OK;
}

tw_status tw_trial_report_write(const char *path, const tw_trial_data *d, const tw_trial_analysis *a,
                                const tw_trial_report_info *info) {
  TW_TRY(check_input(path, d, a, info));
  const size_t len = strlen(path);
  char *partial = malloc(len + sizeof ".partial");
  if (!partial) return TW_FAIL(TW_ERR_NOMEM, "report: no memory for a path of %zu bytes", len);
  memcpy(partial, path, len);
  memcpy(partial + len, ".partial", sizeof ".partial");
  tw_report r = {NULL, d, a, info};
  const tw_status st = write_file(&r, path, partial);
  if (st != TW_OK) remove(partial);
  free(partial);
  return st == TW_OK ? TW_OK : tw_error_trace(st, __FILE__, __LINE__);
}
