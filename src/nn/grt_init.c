/*
** grt_init.c: PyTorch's default initialisation of the GRT, drawn from Philox.
**
** torch.nn.Linear draws weight and bias from U(-1/sqrt(in_features),
** 1/sqrt(in_features)) (kaiming_uniform with a = sqrt(5) reduces to that bound
** for the weight); torch.nn.LSTMCell draws all four tensors from
** U(-1/sqrt(hidden), 1/sqrt(hidden)). The bound of each tensor is its fan_in
** in the layout. The numbers are not PyTorch's (its generator is not Philox):
** the distribution is, and the draw is a pure function of (seed, tensor index,
** element), stream purpose TW_RNG_NN_INIT, the tensor's index in state_dict
** order as the stream's "twin id".
*/
#include "nn/grt.h"

#include <math.h> /* sqrt */

#include "core/random.h" /* tw_rng, TW_RNG_NN_INIT */

void tw_grt_init_params(const tw_grt_layout *lay, uint64_t seed, float *params) {
  for (int i = 0; i < lay->count; ++i) {
    const tw_grt_tensor *t = &lay->tensors[i];
    const double bound = 1.0 / sqrt((double)t->fan_in);
    tw_rng rng = tw_rng_make(seed, (uint64_t)i, TW_RNG_NN_INIT, 0);
    for (int64_t k = 0; k < t->numel; ++k) params[t->offset + k] = (float)(bound * (2.0 * tw_rng_uniform(&rng) - 1.0));
  }
}
