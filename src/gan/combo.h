/*
** combo.h: fixed combinations of the conditional GAN's table (issue 12;
** docs/gan.md, "Fixed combinations"): float columns that take few values and
** take them together, as the parameters a cohort copies from its reference
** patients do (t1d.u2ss, t1d.kp1, t1d.Ib, ... are the 23 patients' values in
** 23 tuples). Modelled column by column the generator mixes patients, and
** most of what it mixes has no steady state; modelled as one discrete column
** whose categories are the tuples seen, every generated row carries one
** patient's consistent values. This is SDV's FixedCombinations constraint
** (merge the columns into one categorical column before the model, split it
** after), detected from the data rather than declared.
**
** Detection: the candidates are the continuous columns with no missing value
** and 2 to `max_tuples` distinct values (a constant column needs nothing);
** two candidates are joined when one is a function of the other (their rows
** hold no more distinct pairs than the larger of their distinct counts); the
** largest group so joined, if it has at least two columns and its rows hold
** at most `max_tuples` distinct tuples, is the combination (else there is
** none). One combination at most.
*/
#ifndef TW_GAN_COMBO_H
#define TW_GAN_COMBO_H

#include "core/status.h"
#include "gan/table.h"

TW_EXTERN_C_BEGIN

typedef struct tw_gan_combo {
  int n_cols;       /* member columns, 0: no combination */
  int *cols;        /* (n_cols) ascending; the first carries the combination's span */
  int64_t n;        /* tuples */
  double *values;   /* (n, n_cols) the tuples, in lexicographic order */
  int64_t *counts;  /* (n) rows of each in the fitted table */
} tw_gan_combo;

/* The combination of table t (n_cols 0 when there is none). */
tw_status tw_gan_combo_find(const tw_gan_table *t, int64_t max_tuples, tw_gan_combo *out);
/* The tuple index of row i of t (t's schema the fitted one), or -1 for a tuple not seen. */
int64_t tw_gan_combo_row(const tw_gan_combo *c, const tw_gan_table *t, int64_t i);
/* 1 for the member carrying the span, 2 for the other members, 0 for a column outside. */
int tw_gan_combo_role(const tw_gan_combo *c, int j);
void tw_gan_combo_free(tw_gan_combo *c);

TW_EXTERN_C_END

#endif
