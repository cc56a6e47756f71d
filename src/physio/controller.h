/*
** controller.h: insulin controllers in the loop, as twinscale's own code sees
** them: the lookup by a config's value, the loader of controller libraries,
** and the start of every twin's state.
**
** The controller itself (tw_controller: name, n_state, init, act) and what it
** knows of a twin (tw_controller_twin) are defined once, in the public header
** include/twinscale/controller.h, with the semantics of a decision (simglucose's
** T1DSimEnv.step); the built-in controllers (controller_bb.c, controller_pid.c)
** and libraries built outside twinscale are declared with the same struct. The
** engine (simulate.c) feeds the pack input that takes boluses with the sum of
** basal and bolus, in place of the scenario's basal and boluses (a config
** cannot give both).
**
** Adding a controller: as a shared library, docs/controllers.md (no twinscale
** source changes); built in, one file defining a tw_controller and one line in
** the table of controller.c. Nothing branches on a controller's name.
*/
#ifndef TW_PHYSIO_CONTROLLER_H
#define TW_PHYSIO_CONTROLLER_H

#include "core/status.h"          /* tw_status */
#include "twinscale/controller.h" /* tw_controller, tw_controller_twin: the public definition */

#include <stdint.h> /* int64_t */

TW_EXTERN_C_BEGIN

/* The controller a config's value names: a built-in by name ("bb", "pid"), or
** a library when the value is a path (tw_pack_is_path's rule: a '/' or a
** ".so" ending; the caller resolves it against the config's directory).
** TW_ERR_INPUT naming the known ones, or the library and what is wrong with it. */
tw_status tw_controller_lookup(const char *name, const tw_controller **out);

/* The controller of the library at `path` (controller_load.c): opened once per
** path and kept for the process's life; TW_ERR_INPUT naming the path when it
** cannot be opened (dlopen's message), has no entry symbol, was built for
** another ABI version, or declares a controller tw_controller_check refuses. */
tw_status tw_controller_load(const char *path, const tw_controller **out);

/* TW_ERR_INPUT unless `c` is usable: a name that is no built-in's, init and
** act set, 0 <= n_state <= TW_CONTROLLER_MAX_STATE. */
tw_status tw_controller_check(const tw_controller *c);

/* Every twin's starting state: state (n, ctl->n_state) zeroed, then ctl->init
** for twin i on its row. A twin whose carb_ratio or correction_factor is not
** > 0 gets its Quest.csv row's (by name; NaN when Quest.csv lacks the name).
** TW_ERR_INPUT "controller NAME: <init's reason>" when init refuses a twin. */
tw_status tw_controller_start(const tw_controller *ctl, int64_t n, const tw_controller_twin *twins, double *state);

TW_EXTERN_C_END

#endif
