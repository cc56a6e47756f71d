/*
** physio_cuda.cu: the physiology family's CUDA table (tw_physio_ops_cuda): picks
** the kernel of a one-pack model (t1d: physio_t1d.cu, pbpk: physio_pbpk.cu).
**
** Composed models (several packs, couplings) and packs without a kernel are
** TW_ERR_UNSUPPORTED with a message naming the model, so `backend: cuda` on them
** fails plainly instead of running something else.
*/
#include <stdio.h> /* snprintf */

#include "physio/integrate.h"  /* TW_INTEG_RK4 */
#include "physio/physio_ops.h" /* tw_physio_ops */
#include "physio_cuda.h"       /* the per-pack entries */

/* "t1d + pbpk (1 coupling)": the model as the error message names it. */
static void model_name(const tw_model *m, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < m->n_parts && used < cap; ++i) {
    int w = snprintf(buf + used, cap - used, "%s%s", i ? " + " : "", m->parts[i].pack->name);
    if (w < 0) return;
    used += (size_t)w;
  }
  if (m->n_couplings && used < cap)
    snprintf(buf + used, cap - used, " (%d coupling%s)", m->n_couplings, m->n_couplings == 1 ? "" : "s");
}

static tw_status cuda_advance(tw_backend *be, const tw_model *m, tw_physio_batch *b, int64_t minute, int n_minutes) {
  (void)minute; /* neither kernel depends on the clock, only on the inputs */
  if (b->opts.kind == TW_INTEG_RK4 && b->opts.substeps < 1)
    return TW_FAIL(TW_ERR_INPUT, "rk4 needs at least 1 substep per minute");
  if (m->n_parts == 1 && m->n_couplings == 0) {
    if (m->parts[0].pack == &tw_pack_t1d) return tw_physio_cuda_t1d(be, b, n_minutes);
    if (m->parts[0].pack == &tw_pack_pbpk) return tw_physio_cuda_pbpk(be, b, n_minutes);
  }
  char name[256];
  model_name(m, name, sizeof name);
  return TW_FAIL(TW_ERR_UNSUPPORTED,
                 "backend cuda: no CUDA kernel for model '%s' (the CUDA path runs the t1d or the pbpk pack alone; "
                 "use backend: cpu)", name);
}

extern "C" const tw_physio_ops tw_physio_ops_cuda = {"cuda", cuda_advance};
