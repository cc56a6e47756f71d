/*
** test_status.c: errors as values: messages, call-site traces, exit codes;
** and the progress line format.
*/
#include <string.h> /* strstr */

#include "core/progress.h"
#include "core/status.h"
#include "tw_test.h"

static tw_status inner(int x) {
  if (x < 0) return TW_FAIL(TW_ERR_INPUT, "cfg.yaml:3:7: dose: %d is negative", x);
  return TW_OK;
}

static tw_status outer(int x) {
  TW_TRY(inner(x));
  return TW_OK;
}

static void message_and_trace(void) {
  tw_error_clear();
  CHECK_OK(outer(1));
  CHECK_STATUS(outer(-5), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "cfg.yaml:3:7: dose: -5 is negative");
  const char *trace = tw_error_trace_string();
  /* innermost first, both sites named relative to the repository */
  CHECK_MSG(strstr(trace, "tests/core/test_status.c:") == trace, "trace: %s", trace);
  CHECK_MSG(strstr(trace, " <- tests/core/test_status.c:") != NULL, "trace: %s", trace);
  tw_error_clear();
  CHECK_EQ_STR(tw_error_message(), "");
  CHECK_EQ_STR(tw_error_trace_string(), "");
}

static tw_status cleanup_path(int fail, int *cleaned) {
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, inner(fail ? -1 : 1), done);
done:
  *cleaned = 1;
  return st;
}

static void try_goto_cleans_up(void) {
  int cleaned = 0;
  CHECK_STATUS(cleanup_path(1, &cleaned), TW_ERR_INPUT);
  CHECK(cleaned);
  cleaned = 0;
  CHECK_OK(cleanup_path(0, &cleaned));
  CHECK(cleaned);
}

static void exit_codes(void) {
  CHECK_EQ_INT(tw_status_exit_code(TW_OK), 0);
  CHECK_EQ_INT(tw_status_exit_code(TW_ERR_INPUT), 2);
  CHECK_EQ_INT(tw_status_exit_code(TW_ERR_IO), 1);
  CHECK_EQ_INT(tw_status_exit_code(TW_ERR_LIBRARY), 1);
  CHECK_EQ_STR(tw_status_name(TW_ERR_NUMERIC), "numerical failure");
}

static void long_messages_truncate(void) {
  char big[5000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  CHECK_STATUS(TW_FAIL(TW_ERR_IO, "%s", big), TW_ERR_IO);
  CHECK(strlen(tw_error_message()) < sizeof big - 1);
  tw_error_clear();
}

static void progress_line(void) {
  tw_progress p;
  tw_progress_begin(&p, "simulate", "twins", 1000);
  p.start = 100.0;
  p.done = 250;
  char line[256];
  tw_progress_format(&p, 110.0, line, sizeof line);
  CHECK_MSG(strstr(line, "250/1000 twins") && strstr(line, "25 twins/s") && strstr(line, "ETA 30s"), "%s", line);
  p.done = 1000;
  tw_progress_format(&p, 120.0, line, sizeof line);
  CHECK_MSG(strstr(line, "done in 20.0s") != NULL, "%s", line);
}

int main(void) {
  TW_TEST_RUN(message_and_trace);
  TW_TEST_RUN(try_goto_cleans_up);
  TW_TEST_RUN(exit_codes);
  TW_TEST_RUN(long_messages_truncate);
  TW_TEST_RUN(progress_line);
  return TW_TEST_RESULT();
}
