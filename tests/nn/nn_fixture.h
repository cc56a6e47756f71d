/*
** nn_fixture.h: reads the GRT reference fixtures written by
** validation/grt_make_fixtures.py (format described there): named arrays,
** converted to double on load, looked up by name.
*/
#ifndef TW_NN_FIXTURE_H
#define TW_NN_FIXTURE_H

#include <stdint.h> /* int64_t */

typedef struct nn_array {
  char name[64];
  int rank;
  int64_t dims[6];
  int64_t numel;
  double *data;
} nn_array;

typedef struct nn_fixture {
  int count;
  nn_array *arrays;
} nn_fixture;

/* Loads TW_TEST_DATA_DIR/nn/<file>; 0 on success, -1 (with a message on stderr) otherwise. */
int nn_fixture_load(const char *file, nn_fixture *fx);
void nn_fixture_free(nn_fixture *fx);
/* The array with this name, or NULL. */
const nn_array *nn_fixture_get(const nn_fixture *fx, const char *name);
/* A malloc'd float copy of an array (NULL when absent). */
float *nn_fixture_floats(const nn_fixture *fx, const char *name);
/* ||a - ref|| / ||ref|| over n elements. */
double nn_rel_error(const float *a, const double *ref, int64_t n);

#endif
