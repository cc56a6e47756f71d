/*
** trial_results.h: what a finished trial hands to its analysis (analysis.c),
** to summary.json (summary_json.c) and to report.html (report*.c).
**
** The trial job (trial_job.c) streams endpoints per twin and arm while the
** twins run (endpoints.h) and writes them to the results file. Once every rank
** is done, rank 0 analyses them here: from the whole endpoint matrix in
** memory (values), or endpoint by endpoint from the results file (columns:
** at most two endpoints' n_twins x n_arms values held at once, 3.2 MB for
** 100,000 twins and 2 arms, whatever the endpoint count). The analysis is a pure function of this
** data: the same bits for any rank count, chunking or thread count, because
** the data is.
**
** Conventions: arm 0..A-1 in config order; the reference arm (the comparator,
** "control") is `reference_arm`; every comparison is "arm minus reference".
** A value is NaN where the twin did not run in that arm (parallel designs) or
** its integration failed; NaN values are left out of every statistic, pairwise
** for crossover comparisons (a twin counts only where both arms are finite).
*/
#ifndef TW_TRIAL_RESULTS_H
#define TW_TRIAL_RESULTS_H

#include <stdint.h> /* int64_t */

#include "core/status.h"  /* tw_status */
#include "trial/stats.h" /* tw_stat_* results */

TW_EXTERN_C_BEGIN

typedef enum tw_trial_design { TW_DESIGN_PARALLEL = 0, TW_DESIGN_CROSSOVER = 1 } tw_trial_design;

/* A time-to-event endpoint: two endpoint rows, the time (in their units,
** minutes after the warm-up) and the event flag (1 event, 0 censored there). */
typedef struct tw_trial_tte {
  const char *name; /* "bg_below_54" */
  int time_ep;      /* index of the time endpoint ("time_to_bg_below_54") */
  int event_ep;     /* index of the event endpoint ("event_bg_below_54") */
} tw_trial_tte;

/* The responder rule: a twin responds in an arm when endpoint `ep` >= threshold
** (above = 1) or <= threshold (above = 0). Default: tir_70_180 >= 70. */
typedef struct tw_trial_responder {
  int ep;           /* endpoint index; -1: no responder analysis */
  double threshold;
  int above;
} tw_trial_responder;

/* Endpoints read when needed instead of held: at most two at a time (a
** time-to-event pair), the older dropped for a third. */
typedef struct tw_trial_columns {
  /* Endpoint e's (n_twins, A) values (layout of one row of `values`) into a malloc'd *out. */
  tw_status (*read)(void *ctx, int e, double **out);
  void *ctx;
  double *held[2]; /* the endpoints held, (n_twins, A) each; free with tw_trial_columns_free */
  int which[2];    /* their indices; -1: none */
  int next;        /* the slot the next read replaces */
  tw_status st;    /* the first failed read (the report reads through tw_trial_endpoint too) */
} tw_trial_columns;

typedef struct tw_trial_data {
  int design;                 /* tw_trial_design */
  int n_arms;                 /* A >= 2 */
  const char *const *arms;    /* (A) names */
  int reference_arm;          /* 0 <= reference_arm < A */
  int64_t n_twins;
  int n_endpoints;            /* E */
  const char *const *ep_names; /* (E) "tir_70_180" */
  const char *const *ep_units; /* (E) "%" */
  const double *values;       /* (E, n_twins, A): row e, twin i, arm a at [(e * n_twins + i) * A + a], or NULL */
  const int32_t *arm_of;      /* (n_twins) parallel: the twin's arm; NULL for crossover */
  tw_trial_responder responder;
  int n_tte;
  const tw_trial_tte *tte;    /* (n_tte) */
  double level;               /* confidence level of every interval: 0.95 */
  tw_trial_columns *columns;  /* or, values NULL: the endpoints read one at a time */
  const int64_t *stopped;     /* (A, 2) twins stopped early in each arm, their endpoints NaN:
                                 [2a] integration failures, [2a + 1] twins that reached a floor
                                 of the model (TW_TWIN_DOMAIN); NULL: not known */
} tw_trial_data;

/* Endpoint e's values, (n_twins, A): twin i, arm a at [i * A + a]; valid until
** two other endpoints have been asked for. NULL when reading it failed (the
** error is set and kept in d->columns->st). */
const double *tw_trial_endpoint(const tw_trial_data *d, int e);
/* Columns set up empty, reading through read(ctx, ...); freed. */
void tw_trial_columns_init(tw_trial_columns *c, tw_status (*read)(void *ctx, int e, double **out), void *ctx);
void tw_trial_columns_free(tw_trial_columns *c);

/* ---- the analysis (analysis.c) ------------------------------------------- */

/* One comparison "arm minus reference" of one endpoint. Crossover: paired t
** (ttest_rel) and Wilcoxon; parallel: Welch and Mann-Whitney. */
typedef struct tw_trial_comparison {
  int arm;                 /* != reference_arm */
  tw_stat_ttest t;         /* estimate = difference of means (crossover: mean paired difference) */
  tw_stat_ranktest rank;   /* Wilcoxon (crossover) or Mann-Whitney (parallel) */
  int64_t n_pairs;         /* crossover: twins finite in both arms; parallel: 0 */
} tw_trial_comparison;

typedef struct tw_trial_endpoint_result {
  tw_stat_summary *arms;          /* (A) over the twins finite in the arm */
  tw_trial_comparison *comp;      /* (A - 1) in arm order, the reference skipped */
} tw_trial_endpoint_result;

typedef struct tw_trial_responder_result {
  size_t *count, *n;              /* (A) responders and twins counted */
  tw_stat_interval *rate;         /* (A) Wilson CI of count / n */
  /* (A - 1) per comparison: crossover: exact McNemar on the discordant pairs
  ** (b: responds in the arm only, c: in the reference only) and the paired
  ** difference of proportions; parallel: Newcombe's difference CI and Fisher. */
  tw_stat_interval *diff;         /* parallel: Newcombe; crossover: estimate only (b - c) / n, CI NaN */
  tw_stat_ptest *test;            /* McNemar exact (crossover) or Fisher exact (parallel) */
  size_t *b, *c;                  /* crossover: discordant pairs; parallel: unused (0) */
} tw_trial_responder_result;

typedef struct tw_trial_tte_result {
  tw_stat_km *km;                 /* (A) */
  double **step_time, **step_surv; /* (A) arrays of n_steps[a]: the KM curve for the report */
  size_t *n_steps;                /* (A) */
  tw_stat_ptest *logrank;         /* (A - 1) arm vs reference (parallel and crossover alike) */
  tw_stat_cox *cox;               /* (A - 1) HR arm vs reference; crossover: stratified by twin */
} tw_trial_tte_result;

typedef struct tw_trial_analysis {
  int n_arms, n_endpoints, n_tte;
  tw_trial_endpoint_result *ep;   /* (E) */
  tw_trial_responder_result resp; /* valid when data->responder.ep >= 0 */
  tw_trial_tte_result *tte;       /* (n_tte) */
} tw_trial_analysis;

/* Every statistic of docs/statistics.md on `d`. Not-estimable results are
** values (their est fields say why); errors are for bad data (TW_ERR_INPUT)
** and memory. */
tw_status tw_trial_analyse(const tw_trial_data *d, tw_trial_analysis *out);
void tw_trial_analysis_free(tw_trial_analysis *a);

/* ---- summary.json (summary_json.c) ---------------------------------------- */

/* Writes the summary.json of issue 8 (docs/trial.md) to `path`, atomically
** (path.partial, renamed when complete). Numbers in full precision (%.17g);
** a statistic that is not estimable is null with a sibling "<key>_note" giving
** the reason. */
tw_status tw_trial_summary_write(const char *path, const tw_trial_data *d, const tw_trial_analysis *a);

/* ---- report.html (report*.c) --------------------------------------------- */

/* Percentile bands of one observable over time per arm. */
typedef struct tw_trial_bands {
  const char *observable, *units; /* "bg", "mg/dL" */
  int64_t n_times;
  const double *time_min;         /* (T) minutes from the start of the run (warm-up included) */
  int64_t warmup_min;             /* shade [0, warmup_min) as the warm-up */
  int64_t n_twins;                /* twins the bands are computed over */
  const double *q;                /* (A, 5, T): the 5th, 25th, 50th, 75th, 95th percentiles */
} tw_trial_bands;

/* One row of the cohort table. */
typedef struct tw_trial_cohort_row {
  const char *name, *units;       /* "age", "y" */
  int64_t n;
  double mean, sd, min, max;
} tw_trial_cohort_row;

typedef struct tw_trial_report_info {
  const char *title;              /* "Basal-bolus vs PID, 1,000 T1D twins, 14 days" */
  const char *protocol_text;      /* the config as run (shown verbatim, escaped) */
  const char *pack;
  int64_t duration_min, warmup_min;
  int n_cohort_rows;
  const tw_trial_cohort_row *cohort;
  const tw_trial_bands *bands;    /* NULL: no band figure (the report says why) */
  /* provenance */
  const char *version, *commit, *results_path, *summary_path, *backend, *started_utc;
  uint64_t seed;
  int ranks;
  double seconds;
} tw_trial_report_info;

/* Writes report.html to `path` (atomically, as the summary): one file, inline
** CSS and SVG, no script or link that loads anything. Figures: glucose (or
** concentration) bands per arm, the distribution of every endpoint per arm,
** a forest plot of the differences with their CIs, Kaplan-Meier curves per
** time-to-event endpoint. Each figure is a <figure class="tw-fig" id=...>. */
tw_status tw_trial_report_write(const char *path, const tw_trial_data *d, const tw_trial_analysis *a,
                                const tw_trial_report_info *info);

TW_EXTERN_C_END

#endif
