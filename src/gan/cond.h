/*
** cond.h: the condition vectors of the conditional GAN (issue 12, items 2
** and 4), CTGAN's DataSampler: training-by-sampling, and the fixed vector of
** `gan sample --condition NAME=VALUE`.
**
** A condition vector is layout.cond_width floats: the discrete columns'
** one-hot spans side by side (layout.h); a vector names one category of one
** discrete column (a 1 there, 0 elsewhere).
**
** Training (CTGAN's sample_condvec and sample_data): for each row of a batch,
** a discrete column uniformly, a category of it with probability proportional
** to log(1 + its training rows), and a real row having that category,
** uniformly; returned are the vector, the mask of the chosen column
** (n_disc floats, one 1) and the row. Draws come from Philox purpose
** TW_RNG_GAN_TRAIN with "twin" = the step and index = 2 b, 2 b + 1 for batch
** row b: a pure function of (seed, step, b), whatever the thread count.
**
** Sampling without a condition: CTGAN's sample_original_condvec pools the
** log-frequency probabilities of every column's categories (its name
** notwithstanding), i.e. the training draw above; twinscale's
** TW_GAN_COND_ORIGINAL draws the column uniformly and the category with its
** real frequency, so each conditioned column keeps its real marginal. Both are
** offered (tw_gan_cond_kind). Keyed on the generated row's number: purpose
** TW_RNG_GAN_SAMPLE, "twin" = the row, index TW_GAN_COND_SAMPLE_INDEX.
**
** The offsets are the condition vector's own (CTGAN's conditional sampling
** adds the category to the column's offset in the data row instead, the
** known offset bug).
*/
#ifndef TW_GAN_COND_H
#define TW_GAN_COND_H

#include "core/status.h"
#include "gan/transform.h"

TW_EXTERN_C_BEGIN

/* The counter index of a generated row's condition draw (TW_RNG_GAN_SAMPLE),
** above every column index the encoding uses. */
#define TW_GAN_COND_SAMPLE_INDEX UINT32_C(0x80000000)

typedef enum tw_gan_cond_kind {
  TW_GAN_COND_LOG = 0,     /* category by log(1 + count): training, and CTGAN's sampling */
  TW_GAN_COND_ORIGINAL = 1 /* category by its real frequency */
} tw_gan_cond_kind;

/* How a sample is given a condition (`gan sample --conditioning`; docs/gan.md,
** "Rejection sampling of a condition"). VECTOR, CTGAN's: every candidate's
** condition vector is the condition's one-hot, and its generated column is
** set to the condition. REJECT: condition vectors drawn as without a
** condition, and only the candidates the generator itself gave the
** condition's category kept (validity.h, tw_gan_reject): a row of the
** generator's joint distribution given the condition. */
typedef enum tw_gan_conditioning { TW_GAN_CONDITION_VECTOR = 0, TW_GAN_CONDITION_REJECT = 1 } tw_gan_conditioning;
extern const char *const tw_gan_conditioning_names[]; /* "vector", "reject", NULL: the enum's order */

typedef struct tw_gan_cond_sampler {
  int n_disc;      /* discrete columns, in condition-vector order */
  int *column;     /* (n_disc) their table columns */
  int *offset;     /* (n_disc) where each starts in the condition vector */
  int64_t *n_cats; /* (n_disc) */
  double *log_cdf; /* (cond_width) per column, the cumulative log(1 + count) probabilities */
  double *freq_cdf; /* (cond_width) per column, the cumulative real frequencies */
  int64_t *rows;   /* (n_disc * n_rows) per column, the training rows grouped by category, ascending */
  int64_t *first;  /* (cond_width + n_disc) per column, where each category's rows start in its part of rows */
  int64_t n_rows;
  int cond_width;
  double focus_share; /* the share of training draws given the focus condition (0: none; tw_gan_cond_focus) */
  int focus_disc;     /* the focus condition's discrete column, in condition-vector order */
  int64_t focus_cat;  /* and its category */
} tw_gan_cond_sampler;

/* The sampler of transformer tr, whose training table is t (its rows grouped
** by category), or t NULL for sampling only (no rows: tw_gan_cond_train is not
** for it). TW_ERR_INPUT: no discrete column (the GAN conditions on one). */
tw_status tw_gan_cond_init(const tw_gan_transformer *tr, const tw_gan_table *t, tw_gan_cond_sampler *out);
void tw_gan_cond_free(tw_gan_cond_sampler *s);

/* Focus training on one condition (`gan train`'s focus; docs/gan.md, "Focus
** on a rare condition"): each training draw is, with probability `share`, the
** condition `text` (NAME=VALUE, as tw_gan_cond_fixed reads it) with a real row
** of it, and otherwise CTGAN's draw. share 0 leaves every draw as it was.
** TW_ERR_INPUT as tw_gan_cond_fixed. */
tw_status tw_gan_cond_focus(tw_gan_cond_sampler *s, const tw_gan_transformer *tr, const char *text, double share);

/* Training draws for batch rows [0, batch) of step `step`: cond (batch,
** cond_width), mask (batch, n_disc), row (batch) training row indices. */
void tw_gan_cond_train(const tw_gan_cond_sampler *s, uint64_t seed, uint64_t step, int64_t batch, float *cond,
                       float *mask, int64_t *row);

/* Condition vectors for generated rows [first_row, first_row + n): cond (n,
** cond_width). */
void tw_gan_cond_sample(const tw_gan_cond_sampler *s, tw_gan_cond_kind kind, uint64_t seed, uint64_t first_row,
                        int64_t n, float *cond);

/* The fixed vector of `--condition NAME=VALUE`: cond (cond_width) out; *disc
** the discrete column's index in the vector and *cat its category (either may
** be NULL). VALUE is the text of a string column's category, or the number of
** an integer column's. TW_ERR_INPUT, one line: no '=', an unknown column
** (naming the discrete ones), a continuous column, a value the training data
** does not have (naming the ones it has). */
tw_status tw_gan_cond_fixed(const tw_gan_transformer *tr, const char *text, float *cond, int *disc, int64_t *cat);

TW_EXTERN_C_END

#endif
