/*
** evaluate.h: a learned twin against simulated truth (`twinscale evaluate`;
** docs/training.md).
**
** At forecast origins every 60 minutes of every twin of a simulate file
** written with output.states, the model is fed the true states of the
** preceding `context` steps (as in training) and the true state at the
** origin, then rolls out on its own states and the file's inputs. Its
** predicted observables at 30, 60 and 120 minutes are compared with the
** file's: root mean square and mean absolute error over all origins, beside
** persistence (the observable held at its origin value).
*/
#ifndef TW_TRAIN_EVALUATE_H
#define TW_TRAIN_EVALUATE_H

#include "backend/backend.h"
#include "core/status.h"

TW_EXTERN_C_BEGIN

enum { TW_EVAL_HORIZONS = 3, TW_EVAL_MAX_OBS = 16 };

typedef struct tw_eval_result {
  int horizon_min[TW_EVAL_HORIZONS];          /* 30, 60, 120 */
  int n_obs;                                  /* the pack's observables (at most TW_EVAL_MAX_OBS) */
  const char *obs_name[TW_EVAL_MAX_OBS];
  const char *obs_unit[TW_EVAL_MAX_OBS];
  int headline;                               /* the observable reported at the top (the CGM's, bg) */
  double rmse[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS], mae[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS];
  double persistence_rmse[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS], persistence_mae[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS];
  int64_t n_origins, n_twins;
  double seconds;
  char backend[320];
} tw_eval_result;

/* Evaluates model file `model` on simulate file `data` on backend `backend`
** ("auto", "cpu", "cuda"). */
tw_status tw_evaluate(const char *model, const char *data, const char *backend, tw_eval_result *out);
/* Writes the result as JSON (docs/training.md) to `path`. */
tw_status tw_evaluate_write_json(const tw_eval_result *r, const char *path);

TW_EXTERN_C_END

#endif
