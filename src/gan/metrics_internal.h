/*
** metrics_internal.h: what the metric files of src/gan share behind
** metrics.h: sorting and counting the values of a column.
**
** Not for use outside src/gan.
*/
#ifndef TW_GAN_METRICS_INTERNAL_H
#define TW_GAN_METRICS_INTERNAL_H

#include "core/status.h"

/* qsort's comparison of doubles (no NaN). */
int tw_gan_cmp_double(const void *a, const void *b);
/* The non-missing values of x (nx), sorted, as a malloc'd array *out of *n. */
tw_status tw_gan_sorted_present(const double *x, int64_t nx, double **out, int64_t *n);
/* The first index of sorted u (k) whose value is not below x (k when none). */
int64_t tw_gan_lower_bound(const double *u, int64_t k, double x);
/* The distinct values of sorted v (n) into u and their counts into c (each
** room for n); returns how many. */
int64_t tw_gan_distinct(const double *v, int64_t n, double *u, int64_t *c);
/* pandas' median of v (n >= 1; sorts v): the middle value, or the mean of the two middle ones. */
double tw_gan_median(double *v, int64_t n);

#endif
