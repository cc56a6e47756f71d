/*
** integrate.c: names of the integrators, as the simulate config spells them.
*/
#include "physio/integrate.h" /* tw_integrator_kind */

#include <string.h> /* strcmp */

int tw_integrator_parse(const char *name) {
  if (name && strcmp(name, "rk4") == 0) return TW_INTEG_RK4;
  if (name && strcmp(name, "dopri5") == 0) return TW_INTEG_DOPRI5;
  return -1;
}

const char *tw_integrator_name(tw_integrator_kind kind) {
  return kind == TW_INTEG_RK4 ? "rk4" : "dopri5";
}
