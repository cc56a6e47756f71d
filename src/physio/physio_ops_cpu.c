/*
** physio_ops_cpu.c: the CPU backend's physiology entries: the engine itself.
*/
#include "physio/physio_ops.h" /* tw_physio_ops */

static tw_status cpu_advance(tw_backend *be, const tw_model *m, tw_physio_batch *b, int64_t minute, int n_minutes) {
  (void)be;
  return tw_model_advance(m, b, minute, n_minutes);
}

const tw_physio_ops tw_physio_ops_cpu = {"cpu", cpu_advance};
