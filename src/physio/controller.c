/*
** controller.c: the table of built-in controllers, the lookup of a config's
** value, the check every controller passes, and the start of the twins' states
** (controller.h).
**
** The start fills what a twin's therapy is (carbohydrate ratio, correction
** factor) from simglucose's Quest.csv by the twin's name where the caller did
** not know it, so that every controller, built in or from a library, sees the
** same twin; init then decides whether it can serve the twin.
*/
#include "physio/controller.h"

#include "physio/pack.h"        /* tw_pack_is_path: the rule packs and controllers share */
#include "physio/param_table.h" /* tw_t1d_builtin_table: Quest.csv */

#include <math.h>   /* NAN */
#include <stdio.h>  /* snprintf */
#include <string.h> /* memset, strcmp, strlen */

extern const tw_controller tw_controller_bb;
extern const tw_controller tw_controller_pid;

static const tw_controller *const table[] = {&tw_controller_bb, &tw_controller_pid};
enum { N_BUILTIN = sizeof table / sizeof *table };

static const tw_controller *find(const char *name) {
  for (int i = 0; i < N_BUILTIN; ++i)
    if (!strcmp(table[i]->name, name)) return table[i];
  return NULL;
}

tw_status tw_controller_lookup(const char *name, const tw_controller **out) {
  if (tw_pack_is_path(name)) return tw_controller_load(name, out);
  if ((*out = find(name)) != NULL) return TW_OK;
  char known[256] = "";
  for (int i = 0; i < N_BUILTIN; ++i)
    snprintf(known + strlen(known), sizeof known - strlen(known), ", %s", table[i]->name);
  return TW_FAIL(TW_ERR_INPUT, "unknown controller '%s' (known: none%s; or a controller library: ./libname.so)", name,
                 known);
}

tw_status tw_controller_check(const tw_controller *c) {
  if (!c->name || !*c->name) return TW_FAIL(TW_ERR_INPUT, "the controller has no name");
  if (!strcmp(c->name, "none") || find(c->name))
    return TW_FAIL(TW_ERR_INPUT, "the controller's name '%s' is a built-in's; rename it", c->name);
  if (!c->init || !c->act) return TW_FAIL(TW_ERR_INPUT, "controller %s: init and act must both be set", c->name);
  if (c->n_state < 0 || c->n_state > TW_CONTROLLER_MAX_STATE)
    return TW_FAIL(TW_ERR_INPUT, "controller %s: n_state %d is outside [0, %d] (TW_CONTROLLER_MAX_STATE)", c->name,
                   c->n_state, TW_CONTROLLER_MAX_STATE);
  return TW_OK;
}

/* Quest.csv's CR and CF of the twin's name, else of its reference patient,
** where the twin lacks them (NaN: in neither). */
static tw_status fill_therapy(const tw_csv *q, tw_controller_twin *t) {
  if (t->carb_ratio > 0 && t->correction_factor > 0) return TW_OK;
  t->carb_ratio = t->correction_factor = NAN;
  int row = tw_csv_find_name(q, t->name);
  if (row < 0 && t->reference) row = tw_csv_find_name(q, t->reference);
  if (row < 0) return TW_OK;
  TW_TRY(tw_csv_number(q, row, tw_csv_col(q, "CR"), &t->carb_ratio));
  return tw_csv_number(q, row, tw_csv_col(q, "CF"), &t->correction_factor);
}

/* Twin `twin`'s state through ctl->init, its refusal as TW_ERR_INPUT. */
static tw_status start_one(const tw_controller *ctl, const tw_controller_twin *twin, double *state) {
  char why[TW_CONTROLLER_ERROR_MAX] = "";
  memset(state, 0, sizeof(double) * (size_t)ctl->n_state);
  if (ctl->init(twin, state, why, sizeof why) == 0) return TW_OK;
  why[sizeof why - 1] = '\0';
  return TW_FAIL(TW_ERR_INPUT, "controller %s: %s", ctl->name, *why ? why : "init refused the twin without a reason");
}

tw_status tw_controller_start(const tw_controller *ctl, int64_t n, const tw_controller_twin *twins, double *state) {
  tw_csv q;
  TW_TRY(tw_t1d_builtin_table("Quest.csv", &q));
  tw_status st = TW_OK;
  for (int64_t i = 0; i < n && st == TW_OK; ++i) {
    tw_controller_twin t = twins[i];
    st = fill_therapy(&q, &t);
    if (st == TW_OK) st = start_one(ctl, &t, state + i * ctl->n_state);
  }
  tw_csv_free(&q);
  return st;
}
