/*
** tw_test.h: the assert header for twinscale's ctest programs.
**
** A test program is a main() that calls TW_TEST_RUN(fn) for each case. A failed
** check prints file:line and the values, marks the case failed and returns from
** it; main returns the number of failed cases (0 passes). A test that needs a
** GPU and finds none calls TW_TEST_SKIP, which exits 77: ctest counts it skipped
** (SKIP_RETURN_CODE 77, set by tw_add_test).
*/
#ifndef TW_TEST_H
#define TW_TEST_H

#include <math.h>   /* fabs, isfinite */
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* exit */
#include <string.h> /* strcmp */

#include "core/status.h" /* tw_status, tw_error_message */

static int tw_test_failures_ = 0;
static int tw_test_case_failed_ = 0;

#define TW_TEST_FAIL_(...)                             \
  do {                                                 \
    fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__);                      \
    fprintf(stderr, "\n");                             \
    tw_test_case_failed_ = 1;                          \
    return;                                            \
  } while (0)

#define CHECK(cond) \
  do { if (!(cond)) TW_TEST_FAIL_("%s", #cond); } while (0)

#define CHECK_MSG(cond, ...) \
  do { if (!(cond)) TW_TEST_FAIL_(__VA_ARGS__); } while (0)

#define CHECK_EQ_INT(a, b)                                                              \
  do {                                                                                  \
    long long tw_a_ = (long long)(a), tw_b_ = (long long)(b);                           \
    if (tw_a_ != tw_b_) TW_TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, tw_a_, tw_b_);  \
  } while (0)

#define CHECK_EQ_STR(a, b)                                                             \
  do {                                                                                 \
    const char *tw_a_ = (a), *tw_b_ = (b);                                             \
    if (strcmp(tw_a_, tw_b_)) TW_TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, tw_a_, tw_b_); \
  } while (0)

/* |a - b| <= tol, and neither is NaN. */
#define CHECK_NEAR(a, b, tol)                                                               \
  do {                                                                                      \
    double tw_a_ = (double)(a), tw_b_ = (double)(b), tw_t_ = (double)(tol);                 \
    if (!(fabs(tw_a_ - tw_b_) <= tw_t_))                                                    \
      TW_TEST_FAIL_("%s ~ %s: %.17g vs %.17g (diff %.3g > %.3g)", #a, #b, tw_a_, tw_b_,     \
                    fabs(tw_a_ - tw_b_), tw_t_);                                            \
  } while (0)

/* A call that must succeed; on failure prints the twinscale error message. */
#define CHECK_OK(call)                                                                  \
  do {                                                                                  \
    tw_status tw_s_ = (call);                                                           \
    if (tw_s_ != TW_OK) TW_TEST_FAIL_("%s: %s: %s", #call, tw_status_name(tw_s_), tw_error_message()); \
  } while (0)

/* A call that must fail with `code`. */
#define CHECK_STATUS(call, code)                                                        \
  do {                                                                                  \
    tw_status tw_s_ = (call);                                                           \
    if (tw_s_ != (code)) TW_TEST_FAIL_("%s: expected %s, got %s (%s)", #call,           \
                                       tw_status_name(code), tw_status_name(tw_s_), tw_error_message()); \
  } while (0)

#define TW_TEST_RUN(fn)                                       \
  do {                                                        \
    tw_test_case_failed_ = 0;                                 \
    fn();                                                     \
    if (tw_test_case_failed_) {                               \
      tw_test_failures_++;                                    \
      fprintf(stderr, "case %s: FAILED\n", #fn);              \
    } else {                                                  \
      fprintf(stderr, "case %s: ok\n", #fn);                  \
    }                                                         \
  } while (0)

#define TW_TEST_SKIP(why)                         \
  do {                                            \
    fprintf(stderr, "SKIP: %s\n", why);           \
    exit(77);                                     \
  } while (0)

/* The whole main() of a test whose subject this build leaves out (no libyaml,
** no HDF5): it skips, saying why. */
#define TW_TEST_MAIN_SKIP(why)  \
  int main(void) {              \
    (void)tw_test_failures_;    \
    (void)tw_test_case_failed_; \
    TW_TEST_SKIP(why);          \
  }

#define TW_TEST_RESULT() (tw_test_failures_ ? 1 : 0)

/* The whole file at `path` as a NUL-terminated malloc'd string (its length in
** *len when len is not NULL), or NULL when it cannot be read. */
static inline char *tw_test_slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  const long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) free(s), s = NULL;
  fclose(f);
  if (s) s[n] = 0;
  if (s && len) *len = (size_t)n;
  return s;
}

#endif
