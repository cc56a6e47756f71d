/*
** gan_ops_cuda.h: the CUDA table of the GAN's kernels (gan/nets_ops.h), the
** counterpart of tw_gan_ops_cpu entry by entry (cuda/gan_ops_cuda.cu).
**
** The CUDA module (module_cuda.cu) puts tw_gan_ops_cuda in its backends'
** TW_FAMILY_GAN slot; everything else reaches it through tw_gan_ops_for. Plain
** C declarations only, so a C test may include it.
*/
#ifndef TW_GAN_OPS_CUDA_H
#define TW_GAN_OPS_CUDA_H

#include "gan/nets_ops.h" /* tw_gan_ops */

TW_EXTERN_C_BEGIN
extern const tw_gan_ops tw_gan_ops_cuda;
TW_EXTERN_C_END

#endif
