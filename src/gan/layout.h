/*
** layout.h: the encoded row of the conditional GAN (issue 12), shared by the
** data transformer (which writes rows and cond vectors in it) and the networks
** (which generate and criticise them).
**
** A row is `width` floats cut into spans: a TANH span is a continuous column's
** scaled offset within its mixture component (one float), a SOFTMAX span a
** one-hot (a continuous column's component, or a discrete column's category).
** The cond vector is `cond_width` floats: the one-hots of the discrete columns'
** SOFTMAX spans, concatenated in cond_span order (cond_span[k] indexes spans).
*/
#ifndef TW_GAN_LAYOUT_H
#define TW_GAN_LAYOUT_H

typedef enum { TW_GAN_SPAN_TANH = 0, TW_GAN_SPAN_SOFTMAX = 1 } tw_gan_span_kind;
typedef struct { tw_gan_span_kind kind; int start, width; int column; } tw_gan_span;
typedef struct { int width; int n_spans; tw_gan_span *spans; int cond_width; int n_cond_spans; int *cond_span; /* index into spans of the discrete columns' softmax spans, in cond-vector order */ } tw_gan_layout;

#endif
