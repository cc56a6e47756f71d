/*
** validity.h: physiological validity of generated rows (issue 12, item 3),
** and the redraw loop that turns a generator into N valid rows.
**
** A decoded row's pack parameters (the columns "<pack>.<param>" of the pack
** its training cohort recorded in the attribute `pack`) are checked as
** `cohort generate` checks a drawn twin (docs/cohorts.md, "The redraw
** rules"): each in its declared range (tw_pack_param_ok), then the
** steady-state rule (cohort_steady.h: fasting at its reference basal rate from
** its initial state, the CGM observable within [low, high] and settled), by
** default cohort generate's defaults (48 h, 70-250 mg/dL, drift 1 mg/dL/h).
** A cohort with no `pack` attribute (covariates only) has nothing to check.
**
** The redraw loop: candidates are numbered 0, 1, 2, ... in the order they are
** generated; the sample is the first N valid ones, in that order. Round 1
** asks the source for N candidates, each later round for as many as are
** still missing, in calls of at most TW_GAN_SAMPLE_CALL rows; the source
** keys its randomness on the candidate numbers (first_row), so the sample is
** a function of the seed (the same for any thread count and call size). The
** source is a generator (tw_gan_sample_valid: `gan sample`, a trial's
** from_generator) or a baseline of the report (`gan baseline`, baseline.h):
** one loop, so a baseline's twins are as valid as a sample's.
**
** Rejection sampling of a condition (tw_gan_reject): the source itself drops
** the candidates whose generated category is not the condition's, before the
** checks (which cost a steady-state integration each). A round then asks for
** the missing rows divided by the share of candidates kept so far, and the
** loop stops within a round once N rows are valid. The sample is still the
** first N valid candidates in their numbering.
*/
#ifndef TW_GAN_VALIDITY_H
#define TW_GAN_VALIDITY_H

#include "cohort/cohort_steady.h" /* tw_cohort_steady_cfg, TW_STEADY_N_VERDICTS */
#include "core/status.h"
#include "gan/baseline.h" /* tw_gan_baseline: a source of rows */
#include "gan/cond.h"
#include "gan/transform.h"

TW_EXTERN_C_BEGIN

struct tw_pack;

/* Rows per generator call. */
#define TW_GAN_SAMPLE_CALL 4096

/* cohort generate's default steady-state rule (docs/cohorts.md, "Keys"). */
#define TW_GAN_STEADY_DEFAULT ((tw_cohort_steady_cfg){.hours = 48.0, .low = 70.0, .high = 250.0, .drift = 1.0})

/* A generator: n rows of activated outputs (n, layout.width), tanh and
** softmax already applied, for condition vectors cond (n, cond_width), rows
** numbered first_row, first_row + 1, ... (the networks key their noise on them). */
typedef tw_status (*tw_gan_generate_fn)(void *ctx, int64_t n, const float *cond /* (n, cond_width) */,
                                        uint64_t first_row, float *out /* (n, width) activated outputs */);

typedef struct tw_gan_validity {
  const struct tw_pack *pack; /* NULL: the cohort records no pack (every row is valid) */
  int *param_col;             /* (pack->n_params) the table column of each parameter */
  tw_cohort_steady_cfg rule;
  int steady;  /* 1: the steady-state rule applies to this pack (and rule.hours > 0) */
  int threads; /* OpenMP threads of the steady-state check (0: the default) */
} tw_gan_validity;

/* What the checks refused. */
typedef struct tw_gan_validity_stats {
  int64_t drawn;        /* candidate rows generated */
  int64_t invalid;      /* refused, out_of_range + no_steady */
  int64_t out_of_range; /* a parameter outside its range (or not finite) */
  int64_t no_steady;    /* no steady state at the basal rate ... */
  int64_t steady_by[TW_STEADY_N_VERDICTS]; /* ... by verdict (low, high, drift, non-finite) */
  int64_t off_condition; /* dropped by rejection sampling before the checks: another category */
  int rounds;
} tw_gan_validity_stats;

/* invalid / (drawn - off_condition): of the candidates checked (0 when none were). */
double tw_gan_invalid_rate(const tw_gan_validity_stats *s);

/* The checker for rows of `schema` drawn for `pack` (NULL: none, every row
** valid) under the rule (NULL: TW_GAN_STEADY_DEFAULT). TW_ERR_INPUT: an
** unknown pack, a parameter of the pack with no column. */
tw_status tw_gan_validity_for(const tw_gan_schema *schema, const char *pack, const tw_cohort_steady_cfg *rule,
                              int threads, tw_gan_validity *out);
/* The same for transformer tr's rows: its schema and pack. */
tw_status tw_gan_validity_init(const tw_gan_transformer *tr, const tw_cohort_steady_cfg *rule, int threads,
                               tw_gan_validity *out);
void tw_gan_validity_free(tw_gan_validity *v);

/* Checks every row of `rows`: ok (rows->n_rows) out, 1 valid; the refusals
** are added to *stats (drawn and rounds are not touched). */
tw_status tw_gan_validity_check(const tw_gan_validity *v, const tw_gan_table *rows, uint8_t *ok,
                                tw_gan_validity_stats *stats);

/* The share of t's rows that fail the checks (NaN: no pack, or no rows). */
tw_status tw_gan_invalid_share(const tw_gan_validity *v, const tw_gan_table *t, double *share);

/* A source of candidate rows: cand->n_rows rows, numbered first_row,
** first_row + 1, ..., into cand (allocated, the schema's columns). A source
** that rejects candidates (tw_gan_reject) keeps the ones it accepts, in order,
** and lowers cand->n_rows to their count (the columns that far apart). */
typedef tw_status (*tw_gan_rows_fn)(void *ctx, uint64_t first_row, tw_gan_table *cand);

/* The first n valid rows the source gives, in the rounds above (max_rounds
** 0: 100): out (allocated here, of `schema`) and *stats. TW_ERR_INPUT: n < 1;
** still rows missing after max_rounds rounds (the message gives the invalid
** rate and the commonest reason). */
tw_status tw_gan_valid_rows(const tw_gan_schema *schema, const tw_gan_validity *v, tw_gan_rows_fn rows, void *ctx,
                            int64_t n, int max_rounds, tw_gan_table *out, tw_gan_validity_stats *stats);

/* tw_gan_valid_rows with a fitted baseline (baseline.h) as the source: its
** rows 0, 1, ... of the seed it was fitted with, the invalid ones dropped, so
** the first n valid rows of that draw (`gan baseline`; the report's copula of
** valid twins). */
tw_status tw_gan_baseline_valid_rows(const tw_gan_baseline *b, const tw_gan_schema *schema, const tw_gan_validity *v,
                                     int64_t n, tw_gan_table *out, tw_gan_validity_stats *stats);

/* Rejection sampling of a condition: a candidate is kept when the largest
** output of the condition column's span [start, start + width) is category
** cat (tw_gan_argmax), i.e. when it decodes to the condition. */
typedef struct tw_gan_reject {
  int start, width;
  int64_t cat;
} tw_gan_reject;

/* Rejection sampling gives up when it has kept no candidate of this many. */
#define TW_GAN_REJECT_GIVE_UP 1000000
/* Candidates per round at most. */
#define TW_GAN_REJECT_ROUND_MAX (1 << 24)

/* What to sample. */
typedef struct tw_gan_sample_request {
  int64_t n;             /* valid rows wanted (>= 1) */
  const float *cond;     /* (cond_width) a fixed condition (tw_gan_cond_fixed), or NULL: drawn per candidate */
  const tw_gan_reject *reject; /* with cond NULL: keep only the candidates of this category; NULL: all */
  tw_gan_cond_kind kind; /* how, when cond is NULL */
  uint64_t seed;
  int max_rounds;        /* rounds before giving up (0: 100) */
} tw_gan_sample_request;

/* tw_gan_valid_rows with the generator as the source: each call's condition
** vectors (req->cond, or drawn by sampler with req->kind), the generator's
** outputs decoded by tr. sampler may be NULL when req->cond is given. */
tw_status tw_gan_sample_valid(const tw_gan_transformer *tr, const tw_gan_cond_sampler *sampler,
                              const tw_gan_validity *v, tw_gan_generate_fn gen, void *ctx,
                              const tw_gan_sample_request *req, tw_gan_table *out, tw_gan_validity_stats *stats);

TW_EXTERN_C_END

#endif
