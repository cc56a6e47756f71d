/*
** report_internal.h: what the report*.c files of src/trial share to write
** report.html (trial_results.h: tw_trial_report_write). Not part of the
** library's interface.
**
** The page is written straight to a FILE (the ".partial" file): every writer
** below is a void function, because a stdio stream keeps its error (ferror)
** and report.c checks it, and fclose, once at the end. Functions that
** allocate return a tw_status.
**
** Every data mark in a figure (a band, a line, a box, a point, a CI) carries
** class "tw-mark"; the page's inline script counts those that are drawn inside
** their SVG (data-drawn, data-marks on the figure), and the Chromium test
** checks them (docs/report.md). Axes, grid lines and labels are not marks.
*/
#ifndef TW_TRIAL_REPORT_INTERNAL_H
#define TW_TRIAL_REPORT_INTERNAL_H

#include <stdio.h> /* FILE */

#include <math.h> /* NAN */

#include "trial/trial_results.h"

/* The whole input of one report, passed to every section. */
typedef struct tw_report {
  FILE *f;
  const tw_trial_data *d;
  const tw_trial_analysis *a;
  const tw_trial_report_info *info;
} tw_report;

/* ---- text (report_text.c) -------------------------------------------------- */

/* Writes s (NULL: an en dash) with & < > " ' escaped as HTML entities. */
void tw_rep_esc(FILE *f, const char *s);
/* Writes s as an id fragment: letters, digits, '-' and '_' kept, others '_'. */
void tw_rep_id(FILE *f, const char *s);
/* A number for a reader: about 3 significant digits ("152", "71.2", "0.0234",
** "1.2e+05"); an en dash for NaN; "inf" / "-inf". out: at least 32 chars. */
const char *tw_rep_num(double x, char *out);
/* A p-value: "%.3g", "< 1e-300" when it underflowed to 0. out: 32 chars. */
const char *tw_rep_p(double p, char *out);
/* Writes "<td>num</td>" for x. */
void tw_rep_td_num(FILE *f, double x);
/* Writes "<td class=\"ne\">reason</td>" for a statistic that is not estimable. */
void tw_rep_td_ne(FILE *f, tw_stat_est e, int colspan);
/* The colour of arm a (a colour-blind-safe palette, cycled). */
const char *tw_rep_color(int a);
/* The confidence level in percent for headers: "95". out: 16 chars. */
const char *tw_rep_level(const tw_trial_data *d, char *out);

/* ---- SVG primitives (report_svg.c) ----------------------------------------- */

/* A linear map from data [d0, d1] to pixels [p0, p1] (p1 < p0 for a y axis). */
typedef struct tw_rep_scale {
  double d0, d1, p0, p1;
} tw_rep_scale;

/* Nice round limits around [lo, hi] (a tick step of 1, 2, 2.5 or 5 x 10^k,
** about `ticks` intervals); lo == hi is widened. Non-finite input: [0, 1]. */
tw_rep_scale tw_rep_nice(double lo, double hi, int ticks, double p0, double p1);
double tw_rep_map(const tw_rep_scale *s, double x);
/* The tick step tw_rep_nice chose for s with `ticks` intervals. */
double tw_rep_tick_step(const tw_rep_scale *s, int ticks);

/* Minutes per plotted time unit for a run ending at end_min: hours up to
** three days, days beyond; *title: the axis title ("time (h)"). */
double tw_rep_time_unit(double end_min, const char **title);

/* Opens a figure: <figure class="tw-fig" id="fig-ID"><svg viewBox="0 0 W H">. */
void tw_rep_fig_open(FILE *f, const char *id, int width, int height, const char *label);
/* Closes the svg and opens the caption; closes the caption and the figure. */
void tw_rep_caption_open(FILE *f);
void tw_rep_caption_close(FILE *f);
/* A bottom axis along y = `at` from s.p0 to s.p1 with ticks and a title. */
void tw_rep_axis_x(FILE *f, const tw_rep_scale *s, double at, const char *title);
/* A left axis at x = `at`, horizontal grid lines to x = grid_to, and a title. */
void tw_rep_axis_y(FILE *f, const tw_rep_scale *s, double at, double grid_to, const char *title);
/* One legend row per arm from (x, y): a colour swatch and the arm's name. */
void tw_rep_legend(FILE *f, const tw_trial_data *d, double x, double y);
/* A text label at (x, y) with an anchor ("start", "middle", "end"); escaped. */
void tw_rep_text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *text);

/* ---- sections -------------------------------------------------------------- */

void tw_rep_protocol(const tw_report *r);      /* report_tables.c */
void tw_rep_cohort(const tw_report *r);        /* report_tables.c */
void tw_rep_provenance(const tw_report *r);    /* report_tables.c */
void tw_rep_endpoint_table(const tw_report *r);    /* report_stats_tables.c */
void tw_rep_comparison_table(const tw_report *r);  /* report_stats_tables.c */
void tw_rep_responder_table(const tw_report *r);   /* report_stats_tables.c */
void tw_rep_tte_table(const tw_report *r);         /* report_stats_tables.c */
void tw_rep_fig_bands(const tw_report *r);           /* report_fig_bands.c */
tw_status tw_rep_fig_distributions(const tw_report *r); /* report_fig_dist.c */
void tw_rep_fig_forest(const tw_report *r);          /* report_fig_forest.c */
void tw_rep_fig_km(const tw_report *r);              /* report_fig_km.c */

/* The page's inline CSS and its drawing check (report_style.c). */
extern const char tw_rep_css[];
extern const char tw_rep_script[];

/* The value of endpoint e for twin i in arm a (NaN where it did not run, and
** where the endpoint could not be read: d->columns->st says so). */
static inline double tw_rep_value(const tw_trial_data *d, int e, int64_t i, int a) {
  const double *v = tw_trial_endpoint(d, e);
  return v ? v[i * d->n_arms + a] : NAN;
}

#endif
