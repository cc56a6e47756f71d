/*
** physio_math.h: the physiology family's tanh, in float and double, shared by CPU
** and CUDA.
**
** Built on the shared exp of core/tw_math.h (vectorisable, no libm call), as
** tanh(z) = 1 - 2 / (exp(2z) + 1): exact at both tails, with an absolute error
** near 0 of a few ulps of 1, which is what the t1d model adds it to. (The GRT's
** tanh, nn_math.h, keeps relative accuracy near 0 instead; the two differ on
** purpose and each family's results are pinned to its own.)
*/
#ifndef TW_PHYSIO_MATH_H
#define TW_PHYSIO_MATH_H

#include "core/defs.h"    /* TW_HD */
#include "core/tw_math.h" /* tw_exp_f32, tw_exp_f64 */

TW_EXTERN_C_BEGIN

TW_HD float tw_tanh_f32(float z) { return 1.0f - 2.0f / (tw_exp_f32(2.0f * z) + 1.0f); }

TW_HD double tw_tanh_f64(double z) { return 1.0 - 2.0 / (tw_exp_f64(2.0 * z) + 1.0); }

TW_EXTERN_C_END

#endif
