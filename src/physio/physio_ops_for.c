/*
** physio_ops_for.c: the physiology family's lookup in a backend's family slots.
**
** The backend layer stores tables untyped (it knows no engine); the family reads
** its own slot back, and supplies its CPU table for host backends.
*/
#include "physio/physio_ops.h" /* tw_physio_ops, tw_physio_ops_cpu */

const tw_physio_ops *tw_physio_ops_for(const tw_backend *be) {
  return (const tw_physio_ops *)tw_backend_family(be, TW_FAMILY_PHYSIO, &tw_physio_ops_cpu);
}
