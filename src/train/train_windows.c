/*
** train_windows.c: which windows a step trains on (train_internal.h).
**
** Every random choice is a Philox draw keyed by the seed and a position, never
** a stream carried from step to step, so a resumed run makes the same choices
** as one that never stopped, and any rank makes them for any step:
**   - epoch e's order: a Fisher-Yates shuffle of the training windows whose
**     i-th swap uses the block (seed, "twin" 2^40 + e, TW_RNG_TRAIN, i);
**   - window b of step s is trained under rollout when the block (seed,
**     2^41 + s, TW_RNG_TRAIN, b) gives u < the step's share.
*/
#include "train/train_internal.h"

#include <stdlib.h> /* malloc, free */

#include "core/philox.h"

enum { EPOCH_STREAM = 40, ROLLOUT_STREAM = 41 };

tw_status tw_windows_make(const tw_train_data *d, int validation, int W, int64_t stride, tw_window_set *s) {
  s->n = 0, s->w = NULL;
  int64_t n = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t i = 0; i < d->n; ++i) {
      if (d->validation[i] != validation) continue;
      for (int64_t start = 0; start + W + 1 <= d->T[i]; start += stride) {
        if (pass) s->w[s->n] = (tw_window){i, start};
        pass ? ++s->n : ++n;
      }
    }
    if (!pass && !(s->w = malloc((size_t)n * sizeof *s->w + 1))) return TW_FAIL(TW_ERR_NOMEM, "train: windows");
  }
  return TW_OK;
}

static uint32_t draw_u32(uint64_t seed, uint64_t stream, uint32_t i) {
  uint32_t r[4];
  tw_philox_block(seed, stream, TW_RNG_TRAIN, i, r);
  return r[0];
}

/* Epoch e's permutation of 0..n-1 into perm. Fisher-Yates with a 64-bit draw
** per swap (modulo bias below 2^-32 for any n under 2^32). */
static void epoch_perm(uint64_t seed, int64_t e, int64_t n, int64_t *perm) {
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    uint32_t r[4];
    tw_philox_block(seed, ((uint64_t)1 << EPOCH_STREAM) + (uint64_t)e, TW_RNG_TRAIN, (uint32_t)i, r);
    const int64_t j = (int64_t)((((uint64_t)r[0] << 32) | r[1]) % (uint64_t)(i + 1));
    const int64_t tmp = perm[i];
    perm[i] = perm[j], perm[j] = tmp;
  }
}

tw_status tw_windows_at(tw_trainer *t, int64_t pos, tw_window *out) {
  const int64_t n = t->train.n, e = pos / n;
  if (!t->perm && !(t->perm = malloc((size_t)n * sizeof *t->perm))) return TW_FAIL(TW_ERR_NOMEM, "train: shuffle");
  if (t->epoch_cached != e) epoch_perm((uint64_t)t->c->seed, e, n, t->perm), t->epoch_cached = e;
  *out = t->train.w[t->perm[pos % n]];
  return TW_OK;
}

int tw_windows_rollout(const tw_trainer *t, int64_t step, int64_t b) {
  const tw_train_rollout_cfg *r = &t->c->rollout;
  if (r->max <= 0 || step < r->start) return 0;
  const double ramp = r->ramp ? (double)(step - r->start + 1) / (double)r->ramp : 1.0;
  const double share = r->max * (ramp < 1.0 ? ramp : 1.0);
  const uint32_t u = draw_u32((uint64_t)t->c->seed, ((uint64_t)1 << ROLLOUT_STREAM) + (uint64_t)step, (uint32_t)b);
  return tw_u01_f32(u) < share;
}
