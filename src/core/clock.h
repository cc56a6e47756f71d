/*
** clock.h: a monotonic wall clock in seconds, for progress, rates and benchmarks.
*/
#ifndef TW_CLOCK_H
#define TW_CLOCK_H

#include "core/defs.h"

TW_EXTERN_C_BEGIN

/* Seconds since an arbitrary fixed point; differences are wall time. */
double tw_now_seconds(void);

TW_EXTERN_C_END

#endif
