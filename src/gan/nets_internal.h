/*
** nets_internal.h: what the GAN's network files share (src/gan/ only): the
** product helper and the ops lookup that fails cleanly on a backend without
** GAN kernels.
*/
#ifndef TW_GAN_NETS_INTERNAL_H
#define TW_GAN_NETS_INTERNAL_H

#include "gan/nets.h"
#include "gan/nets_ops.h"
#include "nn/nn_ops.h" /* bias_act, bias_grad, sum */

TW_EXTERN_C_BEGIN

/* c (m,n) = op(a) op(b) + beta c, float32, row-major, through the GAN table's gemm. */
tw_status gan_gemm(tw_backend *be, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/* The GAN ops of n's backend, or TW_ERR_UNSUPPORTED naming the backend. */
tw_status gan_ops(const tw_gan_nets *n, const tw_gan_ops **ops);

TW_EXTERN_C_END

#endif
