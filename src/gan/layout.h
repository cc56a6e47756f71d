/*
** layout.h: the layout of an encoded row of the conditional GAN (issue 12),
** shared by the data transformer (transform.h), which writes and reads rows
** in it, and the networks, which shape their outputs by it.
**
** An encoded row is `width` floats cut into spans: a continuous column is a
** TANH span of width 1 (its scaled offset alpha in [-0.99, 0.99] within its
** mixture component) followed by a SOFTMAX span (the one-hot of that
** component, plus a last entry "missing" when the column has missing values);
** a discrete column is one SOFTMAX span (the one-hot of its category). Spans
** are in column order and tile [0, width). The condition vector is
** `cond_width` floats: the discrete columns' softmax spans, concatenated in
** the order cond_span lists them (column order).
*/
#ifndef TW_GAN_LAYOUT_H
#define TW_GAN_LAYOUT_H

#include <stdint.h> /* int64_t */

#include "core/defs.h" /* TW_EXTERN_C_BEGIN */

TW_EXTERN_C_BEGIN

typedef enum { TW_GAN_SPAN_TANH = 0, TW_GAN_SPAN_SOFTMAX = 1 } tw_gan_span_kind;

typedef struct {
  tw_gan_span_kind kind;
  int start, width; /* floats [start, start + width) of the encoded row */
  int column;       /* the table column (tw_gan_schema order) the span encodes */
} tw_gan_span;

typedef struct {
  int width;         /* floats per encoded row */
  int n_spans;
  tw_gan_span *spans; /* (n_spans) in row order */
  int cond_width;    /* floats per condition vector: the sum of the widths of the cond spans */
  int n_cond_spans;
  int *cond_span; /* index into spans of the discrete columns' softmax spans, in cond-vector order */
} tw_gan_layout;

/* The index of the largest of v[0..n) (the first on a tie): a softmax span's
** category, as decoding reads it. */
static inline int64_t tw_gan_argmax(const float *v, int64_t n) {
  int64_t best = 0;
  for (int64_t q = 1; q < n; ++q)
    if (v[q] > v[best]) best = q;
  return best;
}

TW_EXTERN_C_END

#endif
