/*
** test_cuda_devices.c: device discovery in a CUDA build, on any machine (unit).
**
** Runs everywhere a CUDA build runs, GPU or not: on a machine without a driver
** or device (CI) it checks that the count is 0, the listing empty and that
** asking for the cuda backend is a clean error, not a crash; with devices, that
** the listing has one well-formed line per device and an index past the last
** is refused. A CUDA error other than "no device" fails the probe, and this test
** (tests/backend: backend_probe_fake_error runs it under a faked one).
*/
#include <stdio.h>  /* snprintf */
#include <string.h> /* strncmp, strchr, strstr */

#include "backend/backend.h" /* device count, listing, open */
#include "tw_test.h"

static void test_listing_matches_count(void) {
  int n = -1;
  CHECK_OK(tw_backend_cuda_probe(&n)); /* a CUDA error other than "no device" fails here */
  CHECK(n >= 0);
  CHECK_EQ_INT(tw_backend_cuda_device_count(), n);
  char list[4096];
  tw_backend_cuda_describe(list, sizeof list);
  const char *line = list;
  for (int i = 0; i < n; ++i) {
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%d: ", i);
    CHECK_MSG(!strncmp(line, prefix, strlen(prefix)), "line %d of the listing: '%s'", i, line);
    const char *end = strchr(line, '\n');
    CHECK_MSG(end != NULL, "line %d is not terminated", i);
    const char *sm = strstr(line, ", sm_");
    CHECK_MSG(sm && sm < end && strstr(line, " GiB, ") < sm, "line %d lacks ', X GiB, sm_XY'", i);
    line = end + 1;
  }
  CHECK_EQ_STR(line, "");
}

static void test_open_past_last_device_fails_cleanly(void) {
  int n = tw_backend_cuda_device_count();
  tw_backend *be = NULL;
  CHECK_STATUS(tw_backend_open("cuda", n, &be), n == 0 ? TW_ERR_UNSUPPORTED : TW_ERR_INPUT);
  CHECK(be == NULL);
  CHECK(strstr(tw_error_message(), "CUDA device") != NULL);
  tw_error_clear();
  CHECK_EQ_INT(tw_backend_device_for_local_rank(3), n ? 3 % n : -1);
}

int main(void) {
  TW_TEST_RUN(test_listing_matches_count);
  TW_TEST_RUN(test_open_past_last_device_fails_cleanly);
  return TW_TEST_RESULT();
}
