/*
** nets_ops_for.c: the GAN family's lookup in a backend's family slots, as
** nn/nn_ops_for.c is the neural twin's.
**
** The backend layer stores tables untyped (it knows no engine); the family reads
** its own slot back (the CUDA module fills it with tw_gan_ops_cuda), and supplies
** its CPU table for host backends.
*/
#include "gan/nets_ops.h" /* tw_gan_ops, tw_gan_ops_cpu */

const tw_gan_ops *tw_gan_ops_for(const tw_backend *be) {
  return (const tw_gan_ops *)tw_backend_family(be, TW_FAMILY_GAN, &tw_gan_ops_cpu);
}
