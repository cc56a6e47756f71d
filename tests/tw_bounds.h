/*
** tw_bounds.h: a validation error checked against two bounds, both printed.
**
** The specification limit is what the issue accepted (e.g. 0.5 mg/dL against
** simglucose). The regression bound sits near the error actually achieved when
** it was set (10x that error, rounded up; half the limit where 10x would reach
** it), so a change that makes twinscale less accurate fails long before the
** limit is crossed. Exceeding the regression bound is a failure too: if the
** change is intended, measure again and move the bound in the same commit.
*/
#ifndef TW_BOUNDS_H
#define TW_BOUNDS_H

#include "tw_test.h" /* CHECK_MSG */

#define CHECK_BOUNDS(label, achieved, regression, limit)                                    \
  do {                                                                                      \
    const double tw_e_ = (achieved), tw_r_ = (regression), tw_l_ = (limit);                 \
    fprintf(stderr, "  %-40s achieved %.3e  regression bound %.3g  specification limit %.3g\n", \
            (label), tw_e_, tw_r_, tw_l_);                                                  \
    CHECK_MSG(tw_e_ <= tw_l_, "%s: %.3e exceeds the specification limit %.3g", (label),     \
              tw_e_, tw_l_);                                                                \
    CHECK_MSG(tw_e_ <= tw_r_, "%s: %.3e exceeds the regression bound %.3g (limit %.3g)",     \
              (label), tw_e_, tw_r_, tw_l_);                                                \
  } while (0)

#endif
