/*
** replay_internal.h: between the replay job (replay.c) and its file writer
** (replay_h5.c), private to src/twin.
*/
#ifndef TW_TWIN_REPLAY_INTERNAL_H
#define TW_TWIN_REPLAY_INTERNAL_H

#include "twin/replay.h"

/* Per-person status, /replay/status. */
enum { TW_REPLAY_DONE = 0, TW_REPLAY_FLAGGED = 1, TW_REPLAY_NO_DATA = 2, TW_REPLAY_NOT_ASKED = 3 };

/* The kinds and the quantiles of the bands, in the order of the arrays below. */
enum { TW_REPLAY_KINDS = 3, TW_REPLAY_QUANTILES = 3 };

/* TW_ERR_INPUT when the output cannot be written (before any work). */
tw_status tw_replay_check_output(const tw_replay_opts *o);
/* The replay file: status (n), map (E, KINDS, n), band (E, KINDS, QUANTILES, n) or NULL. */
tw_status tw_replay_write(const tw_replay_opts *o, const tw_twins *t, const int32_t *status, const double *map,
                          const double *band);

#endif
