/*
** train_data.h: the training data, read from simulate results files written
** with output.states: true (docs/training.md).
**
** Every twin of every file becomes one series: its states (T, n_states) and
** input rates (T, n_inputs) at the files' common output interval, as float32,
** and its pack parameters (n_params) from /cohort/parameters. Everything is
** checked before training starts, each problem named by file, dataset, twin
** and step: a file from another pack, no /states, shapes that disagree, no
** twins, a NaN or infinity in a twin that did not fail. Twins whose
** integration failed (/status/flag) are left out and counted.
**
** Twins are split into training and validation by a Philox draw per twin
** (keyed by the seed and the twin's place in the file list), so the split
** does not depend on how many ranks read the data.
*/
#ifndef TW_TRAIN_DATA_H
#define TW_TRAIN_DATA_H

#include "nn/grt_twin.h"         /* tw_grt_twin_map */
#include "train/train_config.h"  /* tw_train_config */

TW_EXTERN_C_BEGIN

typedef struct tw_train_data {
  const tw_pack *pack;
  int n_states, n_inputs, n_params;
  int64_t every_min;      /* minutes per step */
  int64_t n;              /* twins kept */
  int64_t *T;             /* (n) steps of each series */
  int64_t *off;           /* (n) its first step in xs and us */
  float *xs;              /* (sum T, n_states) */
  float *us;              /* (sum T, n_inputs) */
  double *p;              /* (n, n_params) */
  int8_t *validation;     /* (n) 1: held out */
  char **source;          /* (n) "file: twin 3 (adult#001)", for messages */
  int64_t n_failed;       /* left out: their integration failed */
} tw_train_data;

/* Reads every file of `files` (paths as given; resolve them first) for `pack`.
** `min_steps`: each series must have at least this many steps (a window and
** its target). */
tw_status tw_train_data_read(const tw_pack *pack, char *const *files, int n_files, int64_t min_steps,
                             double validation_fraction, uint64_t seed, tw_train_data *d);
void tw_train_data_free(tw_train_data *d);

/* The scalers of the map, fitted on the training twins. */
void tw_train_data_fit(const tw_train_data *d, tw_grt_twin_map *m);

TW_EXTERN_C_END

#endif
