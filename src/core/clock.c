/*
** clock.c: tw_now_seconds on CLOCK_MONOTONIC, immune to clock adjustments.
*/
#define _POSIX_C_SOURCE 200809L /* clock_gettime under strict C17 */
#include "core/clock.h"

#include <time.h> /* clock_gettime */

double tw_now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
