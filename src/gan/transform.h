/*
** transform.h: the conditional GAN's data transformer (issue 12, item 1):
** CTGAN's mode-specific normalisation of a cohort table into the rows the
** networks train on, and back.
**
** Fit, per column of a table (table.h):
**   continuous: the values (missing ones left out) in log space when every
**     one is > 0, else as they are; a variational Gaussian mixture (vgm.h,
**     sklearn's BayesianGaussianMixture as rdt's ClusterBasedNormalizer sets
**     it) from deterministic k-means labels; the components with weight >
**     0.005 are kept, in component order;
**   discrete: its categories (the distinct cell values, ascending) and their
**     row counts.
** Encode (CTGAN's DataTransformer.transform): a continuous value y (log x or
** x) gets a component k of the kept ones, drawn from the mixture's posterior
** over the kept components (renormalised) with a Philox uniform keyed on
** (seed, row, TW_RNG_GAN_SAMPLE, column), and is written as
**   alpha = clip((y - mu_k) / (4 sigma_k), -0.99, 0.99)  then the one-hot of k;
** a missing value (NaN) writes alpha 0 and the one-hot of an extra last entry
** (present only in columns that had a missing value when fitted). A discrete
** value is the one-hot of its category. Decode: the component (or category)
** is the argmax of its span, x = alpha 4 sigma_k + mu_k (exp of it in log
** space), NaN for the missing entry, then clipped to the column's fitted
** [min, max] (SDV's enforce_min_max_values, on by default in its synthesizers:
** a constant column of zeros would otherwise decode to -4e-3 for half the
** generated rows, outside a pack parameter's range). The row layout is
** layout.h's. With a fixed combination (tw_gan_transformer_combine) its
** member columns are encoded together as the one-hot of their tuple, and
** decoded to the argmax tuple's values.
**
** Where twinscale differs from rdt (docs/gan.md, "Data transformer"): no
** 1e-6 added to every component's probability before the draw (it sends one
** value in 10^5 to a far component, where the clip corrupts it); missing
** values are a component of their own rather than imputed with the mean; a
** constant column is still a mixture (its one component takes every value).
*/
#ifndef TW_GAN_TRANSFORM_H
#define TW_GAN_TRANSFORM_H

#include "core/status.h"
#include "gan/combo.h"
#include "gan/layout.h"
#include "gan/table.h"
#include "gan/vgm.h"

TW_EXTERN_C_BEGIN

/* Weight above which a component is kept (rdt's weight_threshold). */
#define TW_GAN_KEEP_WEIGHT 0.005
/* alpha's bound (CTGAN clips to it), and the sigmas per unit of alpha. */
#define TW_GAN_ALPHA_CLIP 0.99
#define TW_GAN_STD_MULTIPLIER 4.0

/* One column's transform. */
typedef struct tw_gan_colx {
  tw_gan_kind kind;
  /* continuous */
  int log_space;   /* fitted to log(x): every value was > 0 */
  int has_missing; /* the component span has a last entry "missing" */
  tw_vgm vgm;
  int n_kept;
  int kept[TW_VGM_MAX_COMPONENTS]; /* the kept components, ascending */
  double lo, hi;   /* the smallest and largest value fitted (-inf, inf: none); decoding clips to them */
  /* discrete */
  int64_t n_cats;
  double *cats;    /* (n_cats) the categories (cell values: string columns' label indices), ascending */
  int64_t *counts; /* (n_cats) training rows of each */
  /* shifted by a fixed combination's tuples (tw_gan_transformer_combine), or NULL */
  double *shift;   /* (combo.n + 1) the mean of each tuple's values in the fitting space, then of every row's */
} tw_gan_colx;

/* The fitted transformer. It owns a copy of the schema (names, datasets,
** kinds, labels) and the column metadata a sampled cohort file is written
** with, so that a model file alone can decode and write rows. */
typedef struct tw_gan_transformer {
  tw_gan_schema schema;
  tw_gan_colx *cols; /* (schema.n_cols) */
  tw_gan_layout layout;
  char **units;      /* (schema.n_cols) each column's `units` attribute; NULL until tw_gan_meta_read */
  char *pack;        /* the cohort's `pack` attribute, or NULL (a file without one) */
  int64_t n_rows;    /* rows of the table it was fitted to */
  tw_gan_combo combo; /* the fixed combination (combo.h; n_cols 0: none): its members have no spans of their
                         own, the first carries one SOFTMAX span over the tuples, a condition span as a
                         discrete column's (training by sampling draws tuples too; `--condition` cannot
                         name it) */
} tw_gan_transformer;

/* Fits the transformer to table t, columns fitted on `threads` OpenMP threads
** (0: the default; the result does not depend on it). TW_ERR_INPUT: a table
** of fewer than 2 rows. */
tw_status tw_gan_transformer_fit(const tw_gan_table *t, int threads, tw_gan_transformer *out);
void tw_gan_transformer_free(tw_gan_transformer *tr);

/* Fixed combinations (combo.h) of table t, the one tr was fitted to: at most
** TW_GAN_COMBO_MAX tuples and at most one per TW_GAN_COMBO_ROWS rows; the
** layout is rebuilt with them. Nothing changes when t has none. Columns are
** shifted on `threads` threads (0: the default; the result does not depend on it).
** With a combination, each continuous column outside it with no missing value
** whose tuples explain at least TW_GAN_SHIFT_R2 of its variance in the fitting
** space (1 - within-tuple / total sum of squares) is shifted: its tuple's mean
** is subtracted before its mixture (refitted to the differences) encodes it,
** and the decoded row's tuple's mean added back (docs/gan.md, "Fixed
** combinations"). A row whose tuple was not seen takes the mean of all rows. */
#define TW_GAN_COMBO_MAX 100
#define TW_GAN_COMBO_ROWS 20
#define TW_GAN_SHIFT_R2 0.5
tw_status tw_gan_transformer_combine(tw_gan_transformer *tr, const tw_gan_table *t, int threads);
/* The columns shifted by the combination's tuples. */
int tw_gan_shifted_columns(const tw_gan_transformer *tr);

/* Encodes rows [row0, row0 + n) of t (t's schema the transformer's) into out
** (n, layout.width) floats, row-major. Each row's draws are keyed on its index
** in t, so any split into calls and any thread count give the same floats. */
tw_status tw_gan_encode(const tw_gan_transformer *tr, const tw_gan_table *t, uint64_t seed, int64_t row0, int64_t n,
                        float *out);

/* Decodes n rows (n, layout.width) of activated outputs (tanh and softmax
** applied; one-hots are the special case) into rows [row0, row0 + n) of out,
** a table of tr's schema. */
void tw_gan_decode(const tw_gan_transformer *tr, const float *rows, int64_t n, tw_gan_table *out, int64_t row0);

/* Builds tr->layout from tr->cols (fit and load call it). */
tw_status tw_gan_layout_build(tw_gan_transformer *tr);

/* The layout's span for column j: its first span (continuous: the tanh one). */
int tw_gan_column_span(const tw_gan_transformer *tr, int j);

/* The index of category value v of discrete column j, or -1. */
int64_t tw_gan_category_index(const tw_gan_colx *c, double v);

TW_EXTERN_C_END

#endif
