/*
** nn_case.h: a GRT test case built from a PyTorch fixture: the model's
** parameter buffer filled tensor by tensor from the state_dict records, and the
** batch's inputs as float arrays (CPU backend, host memory).
*/
#ifndef TW_NN_CASE_H
#define TW_NN_CASE_H

#include "nn/grt.h"     /* model, batch */
#include "nn_fixture.h" /* the fixture */

typedef struct nn_case {
  nn_fixture fx;
  tw_grt_model model;
  tw_grt_batch batch;
  float *x, *adj, *h0, *c0, *target, *mask;
} nn_case;

/* Loads fixture `file` into a case; 0 on success, -1 with a message otherwise. */
int nn_case_load(const char *file, nn_case *c);
void nn_case_free(nn_case *c);

#endif
