/*
** controller.c: the table of controllers (controller.h).
*/
#include "physio/controller.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */

extern const tw_controller tw_controller_bb;
extern const tw_controller tw_controller_pid;

static const tw_controller *const table[] = {&tw_controller_bb, &tw_controller_pid};

tw_status tw_controller_lookup(const char *name, const tw_controller **out) {
  char known[256] = "";
  for (size_t i = 0; i < sizeof table / sizeof *table; ++i) {
    if (!strcmp(table[i]->name, name)) {
      *out = table[i];
      return TW_OK;
    }
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", table[i]->name);
  }
  return TW_FAIL(TW_ERR_INPUT, "unknown controller '%s' (known: none, %s)", name, known);
}
