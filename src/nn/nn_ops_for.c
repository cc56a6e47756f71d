/*
** nn_ops_for.c: the neural-twin family's lookup in a backend's family slots.
**
** The backend layer stores tables untyped (it knows no engine); the family reads
** its own slot back, and supplies its CPU table for host backends.
*/
#include "nn/nn_ops.h" /* tw_nn_ops, tw_nn_ops_cpu */

const tw_nn_ops *tw_nn_ops_for(const tw_backend *be) {
  return (const tw_nn_ops *)tw_backend_family(be, TW_FAMILY_NN, &tw_nn_ops_cpu);
}
