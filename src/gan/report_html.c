/*
** report_html.c: tw_gan_report_write_html (report.h), report.html of a gan
** report: one self-contained page (inline CSS, no script, nothing loaded),
** in the style of the trial's report.html (src/trial/report*.c): the summary
** with the synthetic table's numbers beside the three baselines' (mean and
** [min, max] over the seeds) and a sentence per number saying what it
** measures, then the quality per column and per pair, the diagnostic per
** column, and how the numbers were made. Every text from the files (column
** names, paths) is escaped. Numbers to 4 decimals; the JSON has them whole.
**
** The page goes through tw_json_write_file's atomic path (PATH.partial,
** renamed when whole): the document function writes the HTML to the writer's
** stream and no JSON value, so the writer only adds a final newline.
*/
#include <math.h>  /* isnan */
#include <stdio.h>  /* FILE, fputs, fprintf */
#include <stdlib.h> /* malloc, free */

#include "core/json.h" /* tw_json_write_file */
#include "gan/report.h"

typedef struct page {
  FILE *f;
  const tw_gan_report *r;
  double *v; /* the synthetic table's numbers (tw_gan_report_n_values) */
} page;

static const char css[] =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;background:#fff;"
    "max-width:1100px;margin:2em auto;padding:0 1.5em;line-height:1.45;font-size:15px}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;"
    "margin-top:2em}\n.sub{color:#555;margin-top:0}\n"
    "table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em}\n"
    "th,td{padding:.25em .7em;border-bottom:1px solid #e3e3e3;text-align:right;vertical-align:top}\n"
    "th{background:#f4f4f4;font-weight:600}th:first-child,td:first-child,td.l{text-align:left}\n"
    "td{white-space:nowrap}td.m{white-space:normal;text-align:left;color:#444;min-width:18em;max-width:30em}\n"
    "th.l{text-align:left}span.iv{display:block;color:#777;font-size:.85em}\n";

static void esc(FILE *f, const char *s) {
  for (; s && *s; ++s) {
    if (*s == '&') fputs("&amp;", f);
    else if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '"') fputs("&quot;", f);
    else fputc(*s, f);
  }
}

static void num(FILE *f, double x) {
  if (isnan(x)) fputs("&#8211;", f);
  else fprintf(f, "%.4f", x);
}

/* A cell holding the mean and [min, max] of a number over the seeds. */
static void spread_cell(FILE *f, tw_gan_spread s) {
  fputs("<td>", f);
  num(f, s.mean);
  if (s.n) fputs(" <span class=\"iv\">[", f), num(f, s.min), fputs(", ", f), num(f, s.max), fputs("]</span>", f);
  fputs("</td>", f);
}

/* The synthetic table's value i, then each baseline's spread of it. */
static void value_cells(const page *p, int i) {
  const tw_gan_report *r = p->r;
  fputs("<td>", p->f);
  num(p->f, p->v[i]);
  if (r->n_seeds && i == tw_gan_v_privacy(r, 2)) { /* the synthetic table's one random number */
    tw_gan_spread s = tw_gan_spread_of(r->dcr_baseline_draws, r->n_seeds, 1, 0);
    fputs(" <span class=\"iv\">[", p->f), num(p->f, s.min), fputs(", ", p->f), num(p->f, s.max);
    fputs("]</span>", p->f);
  }
  fputs("</td>", p->f);
  for (int b = 0; r->n_seeds && b < TW_GAN_REPORT_BASELINES; ++b)
    spread_cell(p->f, tw_gan_spread_of(r->baseline_values[b], r->n_seeds, tw_gan_report_n_values(r), i));
}

static void header_row(const page *p, const char *first, const char *last) {
  fprintf(p->f, "<tr><th>%s</th><th>synthetic</th>", first);
  for (int b = 0; p->r->n_seeds && b < TW_GAN_REPORT_BASELINES; ++b)
    fprintf(p->f, "<th>%s</th>", tw_gan_report_baseline_list[b].title);
  if (last) fprintf(p->f, "<th class=\"l\">%s</th>", last);
  fputs("</tr>\n", p->f);
}

static void summary_row(const page *p, const char *name, int i, const char *meaning) {
  fprintf(p->f, "<tr><td class=\"l\">%s</td>", name);
  value_cells(p, i);
  fprintf(p->f, "<td class=\"m\">%s</td></tr>\n", meaning);
}

/* The verdict at equal privacy (tw_gan_report_equal_privacy), one paragraph. */
static void equal_privacy(const page *p) {
  static const char *const verdict[3] = {"undecided: a baseline less private than it is not beaten", "no", "yes"};
  const tw_gan_report *r = p->r;
  const tw_gan_equal_privacy e = tw_gan_report_equal_privacy(r);
  fputs("<p><b>Better than the baselines at equal privacy?</b> In sample ", p->f);
  fprintf(p->f, "<b>%s</b>, against the holdout <b>%s</b>. Compared: ", verdict[e.verdict[0] + 1],
          verdict[e.verdict[1] + 1]);
  for (int b = 0, first = 1; b < TW_GAN_REPORT_BASELINES; ++b) {
    if (!tw_gan_report_baseline_list[b].equal_privacy) continue;
    fprintf(p->f, "%s%s (%s private%s)", first ? "" : "; ", tw_gan_report_baseline_list[b].title,
            e.as_private[b] ? "as" : "less", e.beaten[b][0] ? ", beaten in sample" : ", not beaten in sample");
    first = 0;
  }
  fprintf(p->f, ". A baseline is as private when its mean NewRowSynthesis and DCROverfittingProtection over the "
          "draws are at least the synthetic table's%s; the table beats it when its quality is above the baseline's "
          "largest over the draws. The smoothed bootstrap's bandwidth, %g standard deviations, is %s.</p>\n",
          r->pack ? " and its mean invalid share at most the table's" : "", r->smoothing.bandwidth,
          r->smoothing_matched ? "the smallest tried (0 to 8) that gives that privacy"
                               : "the largest tried, and it does not give that privacy");
}

static void summary(const page *p) {
  const tw_gan_report *r = p->r;
  fputs("<h2>Summary</h2>\n<table>\n", p->f);
  header_row(p, "number", "what it measures (each in [0, 1], higher is better)");
  summary_row(p, "Quality score", TW_GAN_V_SCORE, "The mean of the two numbers below: 1 when every column and every "
              "strong pair is distributed as in the real table.");
  summary_row(p, "Column shapes", TW_GAN_V_SHAPES, "The mean over columns of KSComplement (continuous: 1 minus the "
              "largest gap between the real and synthetic cumulative distributions) or TVComplement (discrete: 1 "
              "minus the total variation distance of the category frequencies).");
  summary_row(p, "Column pair trends", TW_GAN_V_TRENDS, "The mean over the pairs that count of CorrelationSimilarity "
              "(1 - |r<sub>real</sub> - r<sub>syn</sub>| / 2) or ContingencySimilarity (1 minus the total variation "
              "distance of the two-way frequency tables); a pair counts when the real |r| &gt; 0.5 or Cram&eacute;r's "
              "V &gt; 0.3.");
  summary_row(p, "Quality score against the holdout", tw_gan_v_holdout(r, 0), "The same score with the holdout rows "
              "as the real table: real people that neither the generator nor a baseline saw. A baseline is fitted to "
              "the real rows and keeps their own marginals, so its score above is in sample and this one is not.");
  summary_row(p, "&#8195;column shapes", tw_gan_v_holdout(r, 1), "Its column shapes against the holdout.");
  summary_row(p, "&#8195;column pair trends", tw_gan_v_holdout(r, 2), "Its column pair trends against the holdout "
              "(the pairs that count by the holdout's own correlations).");
  summary_row(p, "NewRowSynthesis", tw_gan_v_privacy(r, 0), "The share of synthetic rows that match no real row (a "
              "match: every continuous cell within 1 %, every discrete cell equal). A copy of real rows scores 0.");
  summary_row(p, "DCROverfittingProtection", tw_gan_v_privacy(r, 1), "min(2 (1 - p), 1), p the share of synthetic "
              "rows closer to a training row than to every holdout row: 1 when the synthetic rows are no closer to the "
              "rows the generator saw than to real rows it did not see.");
  summary_row(p, "DCRBaselineProtection", tw_gan_v_privacy(r, 2), "The median distance of a synthetic row to its "
              "closest real row over the same median for uniformly random rows (capped at 1): 1 when synthetic rows "
              "are as far from real people as noise is.");
  if (r->pack)
    summary_row(p, "Invalid share (lower is better)", tw_gan_v_invalid(r), "Not an SDMetrics number: the share of "
                "rows that fail the pack's checks, as <code>gan sample</code> redraws them (a parameter outside its "
                "range, or no steady state at the basal rate). A table of real twins scores 0.");
  fputs("</table>\n", p->f);
  if (r->n_seeds) equal_privacy(p);
}

static void columns(const page *p) {
  const tw_gan_schema *sc = &p->r->schema;
  fputs("<h2>Column shapes</h2>\n<p>Per column, how closely the synthetic values follow the real distribution: "
        "KSComplement for a continuous column, TVComplement for a discrete one (1: the same distribution).</p>\n"
        "<table>\n", p->f);
  header_row(p, "column", "metric");
  for (int j = 0; j < sc->n_cols; ++j) {
    fputs("<tr><td class=\"l\">", p->f), esc(p->f, sc->cols[j].name), fputs("</td>", p->f);
    value_cells(p, TW_GAN_V_COLUMNS + j);
    fprintf(p->f, "<td class=\"l\">%s</td></tr>\n", sc->cols[j].kind == TW_GAN_CONTINUOUS ? "KSComplement" :
                                                                                           "TVComplement");
  }
  fputs("</table>\n", p->f);
}

static void pairs(const page *p) {
  const tw_gan_report *r = p->r;
  int counted = 0;
  for (int k = 0; k < r->n_pairs; ++k) counted += !isnan(r->pairs[k].score);
  fprintf(p->f, "<h2>Column pair trends</h2>\n<p>The %d pairs of %d whose real correlation (|r| &gt; 0.5, two "
          "continuous columns) or association (Cram&eacute;r's V &gt; 0.3, otherwise; a continuous column cut into 10 "
          "bins) is strong enough to count, with how well the synthetic table keeps it (1: the same).</p>\n<table>\n",
          counted, r->n_pairs);
  header_row(p, "pair", "metric");
  for (int k = 0; k < r->n_pairs; ++k) {
    const tw_gan_pair_score *q = &r->pairs[k];
    if (isnan(q->score)) continue;
    fputs("<tr><td class=\"l\">", p->f), esc(p->f, r->schema.cols[q->a].name), fputs(" &#215; ", p->f);
    esc(p->f, r->schema.cols[q->b].name), fputs("</td>", p->f);
    value_cells(p, tw_gan_v_pair(r, k));
    fprintf(p->f, "<td class=\"l\">%s</td></tr>\n", q->metric);
  }
  fputs("</table>\n", p->f);
}

static void diagnostic(const page *p) {
  const tw_gan_schema *sc = &p->r->schema;
  fputs("<h2>Diagnostic</h2>\n<p>Per column, the share of synthetic values that are valid for the real column: "
        "within the real [min, max] (BoundaryAdherence, continuous) or one of the real categories "
        "(CategoryAdherence, discrete).</p>\n<table>\n", p->f);
  header_row(p, "column", "metric");
  for (int j = 0; j < sc->n_cols; ++j) {
    fputs("<tr><td class=\"l\">", p->f), esc(p->f, sc->cols[j].name), fputs("</td>", p->f);
    value_cells(p, tw_gan_v_adherence(p->r, j));
    fprintf(p->f, "<td class=\"l\">%s</td></tr>\n", sc->cols[j].kind == TW_GAN_CONTINUOUS ? "BoundaryAdherence" :
                                                                                           "CategoryAdherence");
  }
  fputs("</table>\n", p->f);
}

/* A baseline's row of the utility table: n draws' R^2 as mean [min, max]. */
static void draws_row(FILE *f, const char *label, int64_t twins, const double *r2, int n) {
  fprintf(f, "<tr><td class=\"l\">%s, %d draw%s</td><td>%lld</td>", label, n, n == 1 ? "" : "s", (long long)twins);
  spread_cell(f, tw_gan_spread_of(r2, n, 1, 0));
  fputs("</tr>\n", f);
}

static void utility(const page *p) {
  const tw_gan_utility *u = p->r->utility;
  if (!u) return;
  fputs("<h2>Utility</h2>\n<p>How well a ridge regression (alpha 1) trained on each cohort's twins predicts the "
        "endpoint <b>", p->f);
  esc(p->f, u->endpoint);
  fputs("</b> (arm <b>", p->f);
  esc(p->f, u->arm);
  fprintf(p->f, "</b>) of the %lld holdout twins from their covariates and parameters: R<sup>2</sup>, 1 for a perfect "
          "prediction, 0 for the holdout mean. A synthetic cohort is useful when its R<sup>2</sup> is near the real "
          "cohort's. The Gaussian copula's twins have an endpoint only from a trial of its draws (<code>twinscale "
          "gan baseline</code>)%s.</p>\n<table>\n<tr><th>trained on</th><th>twins</th><th>R<sup>2</sup></th></tr>\n",
          (long long)u->rows[2], u->n_copula ? "" : "; none was given, so its row is missing");
  fprintf(p->f, "<tr><td class=\"l\">real</td><td>%lld</td><td>", (long long)u->rows[0]);
  num(p->f, u->r2_real);
  fprintf(p->f, "</td></tr>\n<tr><td class=\"l\">synthetic</td><td>%lld</td><td>", (long long)u->rows[1]);
  num(p->f, u->r2_synthetic);
  fputs("</td></tr>\n", p->f);
  if (u->n_copula) draws_row(p->f, "Gaussian copula (trials of its draws)", u->rows_copula[0], u->r2_copula, u->n_copula);
  if (u->n_seeds) draws_row(p->f, "bootstrap of the real twins", u->rows[1], u->r2_bootstrap, u->n_seeds);
  fputs("</table>\n", p->f);
}

static void method(const page *p) {
  const tw_gan_report *r = p->r;
  fputs("<h2>How the numbers were made</h2>\n<p>Every metric follows SDMetrics 0.32.0's definition "
        "(docs/gan.md gives each, with the file it follows). ", p->f);
  if (r->n_seeds)
    fprintf(p->f, "Each baseline has as many rows as the synthetic table and was drawn %d times, with seeds %llu to "
            "%llu; a baseline cell gives the mean over the draws and, in brackets, the smallest and largest value "
            "(the chance that one more draw falls outside [min, max] is 2 / (K + 1) = %.2f). The synthetic table's "
            "DCRBaselineProtection is the first seed's, its bracket the same range over the %d seeds of its random "
            "rows. <b>Gaussian copula</b>: each real column's empirical distribution, the correlation of the normal "
            "scores, rows drawn from that multivariate normal and mapped back (categories by their frequency "
            "intervals, as SDV's GaussianCopulaSynthesizer encodes them). <b>Bootstrap</b>: real rows drawn with "
            "replacement, the best quality a copy reaches, with no privacy. <b>Valid twins</b>: a draw's rows that "
            "fail the pack's checks redrawn, as <code>gan sample</code> redraws a generator's. <b>Smoothed "
            "bootstrap</b>: real rows with Gaussian noise of a bandwidth times each continuous column's standard "
            "deviation (log space where positive, clipped to the real range), a discrete cell swapped for another "
            "row's with probability 0.3, the columns a reference patient fixes kept; its bandwidth is the smallest of "
            "0 to 8 at which its draws are as private as the synthetic table.",
            r->n_seeds, (unsigned long long)r->seed, (unsigned long long)(r->seed + (uint64_t)r->n_seeds - 1),
            2.0 / (r->n_seeds + 1), r->n_seeds);
  else
    fprintf(p->f, "No baselines were drawn (--seeds 0); DCRBaselineProtection's random rows use seed %llu.",
            (unsigned long long)r->seed);
  fputs("</p>\n", p->f);
}

static void title(const page *p) {
  const tw_gan_report *r = p->r;
  fputs("<h1>Synthetic cohort report</h1>\n<p class=\"sub\">Real ", p->f);
  esc(p->f, r->paths[0]);
  fprintf(p->f, " (%lld rows), synthetic ", (long long)r->real.n_rows);
  esc(p->f, r->paths[1]);
  fprintf(p->f, " (%lld rows), holdout ", (long long)r->synthetic.n_rows);
  esc(p->f, r->paths[2]);
  fprintf(p->f, " (%lld rows); %d columns.</p>\n", (long long)r->holdout.n_rows, r->schema.n_cols);
}

static void document(tw_json_writer *w, const void *ctx) {
  page p = *(const page *)ctx;
  p.f = w->f;
  fprintf(p.f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Synthetic cohort "
          "report</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
  title(&p);
  summary(&p);
  columns(&p);
  pairs(&p);
  diagnostic(&p);
  utility(&p);
  method(&p);
  fputs("</body>\n</html>", p.f);
}

tw_status tw_gan_report_write_html(const tw_gan_report *r, const char *path) {
  page p = {NULL, r, malloc((size_t)tw_gan_report_n_values(r) * sizeof(double))};
  if (!p.v) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the report's %d numbers", tw_gan_report_n_values(r));
  tw_gan_report_values(r, p.v);
  tw_status st = tw_json_write_file(path, document, &p);
  free(p.v);
  return st;
}
