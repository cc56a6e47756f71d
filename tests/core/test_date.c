/*
** test_date.c: dates and timestamps of imported records (core/date.h), label
** unit. tw_date_parse's cases moved from tests/cohort/test_synthea.c.
**
**   - tw_date_parse: real and impossible days, UTC timestamps, the day of a time,
**     any offset other than Z refused;
**   - tw_time_parse: the offset is taken off (values from `date -u -d ... +%s`),
**     across the Europe/Berlin clock changes of 2026 the instants stay in order,
**     fractions to the millisecond, every malformed form refused, a time without
**     an offset refused;
**   - tw_time_format writes what tw_time_parse reads back.
*/
#include <string.h> /* strcmp */

#include "core/date.h"
#include "tw_test.h"

static void test_dates(void) {
  int64_t s;
  CHECK(tw_date_parse("1970-01-01", &s) == 0 && s == 0);
  CHECK(tw_date_parse("2020-02-06T08:45:50Z", &s) == 0);
  CHECK_EQ_INT(s, 1580978750); /* date -u -d 2020-02-06T08:45:50Z +%s */
  CHECK_EQ_INT(tw_date_day(s), 18298);
  CHECK(tw_date_parse("1939-03-18", &s) == 0 && tw_date_day(s) == -11247); /* before 1970 */
  CHECK(tw_date_parse("2020-02-29", &s) == 0);
  CHECK(tw_date_parse("2021-02-29", &s) == -1);
  CHECK(tw_date_parse("2021-13-01", &s) == -1);
  CHECK(tw_date_parse("2021-01-01T24:00:00Z", &s) == -1);
  CHECK(tw_date_parse("2021-01-01T10:00:00+01:00", &s) == -1);
  CHECK(tw_date_parse("2021-01-01 ", &s) == -1);
  CHECK(tw_date_parse("", &s) == -1);
}

static void test_times_with_offsets(void) {
  int64_t ms;
  int off;
  CHECK(tw_time_parse("2026-03-29T01:55:00+01:00", &ms, &off) == 0);
  CHECK_EQ_INT(ms, 1774745700LL * 1000); /* date -u -d 2026-03-29T01:55:00+01:00 +%s */
  CHECK_EQ_INT(off, 60);
  /* Berlin springs forward at 02:00 CET to 03:00 CEST: 03:05+02:00 is 10 minutes after 01:55+01:00 */
  int64_t after;
  CHECK(tw_time_parse("2026-03-29T03:05:00+02:00", &after, &off) == 0 && off == 120);
  CHECK_EQ_INT(after - ms, 10 * 60000);
  /* and falls back on 2026-10-25: 02:30+02:00 comes an hour before 02:30+01:00 */
  int64_t first, second;
  CHECK(tw_time_parse("2026-10-25T02:30:00+02:00", &first, &off) == 0);
  CHECK(tw_time_parse("2026-10-25T02:30:00+01:00", &second, &off) == 0);
  CHECK_EQ_INT(second - first, 60 * 60000);
  CHECK_EQ_INT(second, 1792891800LL * 1000); /* date -u -d 2026-10-25T02:30:00+01:00 +%s */
  CHECK(tw_time_parse("1969-12-31T23:00:00-05:30", &ms, &off) == 0);
  CHECK_EQ_INT(ms, 16200LL * 1000); /* date -u -d 1969-12-31T23:00:00-05:30 +%s */
  CHECK_EQ_INT(off, -330);
  CHECK(tw_time_parse("2026-03-29T00:55:00.123456Z", &ms, &off) == 0 && ms == 1774745700123LL && off == 0);
  CHECK(tw_time_parse("2026-03-29 01:55+0100", &ms, &off) == 0 && ms == 1774745700LL * 1000);
  CHECK(tw_time_parse("2026-03-29T01:55:00+01", &ms, &off) == 0 && ms == 1774745700LL * 1000);
  static const char *const BAD[] = {"2026-03-29T01:55:00",        "2026-03-29",
                                    "2026-02-29T01:55:00Z",       "2026-03-29T24:00:00Z",
                                    "2026-03-29T01:55:00+19:00",  "2026-03-29T01:55:00+01:60",
                                    "2026-03-29T01:55:00Z ",      "2026-03-29T1:55:00Z",
                                    "2026-03-29T01:55:00.Z",      "2026-03-29T01:55:00+1",
                                    "",                           "2026-03-29T01:55:00ZZ"};
  for (size_t i = 0; i < TW_ARRAY_LEN(BAD); ++i) CHECK_MSG(tw_time_parse(BAD[i], &ms, &off) == -1, "accepted '%s'", BAD[i]);
}

static void test_time_format_round_trip(void) {
  char buf[48];
  int64_t ms;
  int off;
  tw_time_format(1774745700123LL, buf);
  CHECK_EQ_STR(buf, "2026-03-29T00:55:00.123Z");
  tw_time_format(-1, buf);
  CHECK_EQ_STR(buf, "1969-12-31T23:59:59.999Z");
  for (int64_t t = -5000000000000LL; t < 5000000000000LL; t += 123456789011LL) {
    tw_time_format(t, buf);
    CHECK(tw_time_parse(buf, &ms, &off) == 0 && ms == t && off == 0);
  }
}

int main(void) {
  TW_TEST_RUN(test_dates);
  TW_TEST_RUN(test_times_with_offsets);
  TW_TEST_RUN(test_time_format_round_trip);
  return TW_TEST_RESULT();
}
