/*
** synthea_date.c: the dates of EHR exports (synthea.h). Synthea writes
** birth, death and condition dates as YYYY-MM-DD and observation times as
** YYYY-MM-DDTHH:MM:SSZ (UTC); both become seconds since 1970-01-01 UTC so that
** "latest before the reference date" is one integer comparison. Days from the
** civil calendar by H. Hinnant's days_from_civil (proleptic Gregorian).
*/
#include "cohort/synthea.h"

#include <ctype.h> /* isdigit */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m) {
  static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return DAYS[m - 1] + (m == 2 && leap);
}

/* Reads exactly n digits at *p into *v; 0 on success. */
static int digits(const char **p, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; ++i, ++*p) {
    if (!isdigit((unsigned char)**p)) return -1;
    *v = *v * 10 + (**p - '0');
  }
  return 0;
}

/* "HH:MM:SS[.fff][Z]" into seconds of the day; 0 on success. */
static int parse_time(const char *p, int64_t *sec) {
  int h, mi, s;
  if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &s)) return -1;
  if (h > 23 || mi > 59 || s > 60) return -1; /* 60: a leap second */
  if (*p == '.') {
    ++p;
    if (!isdigit((unsigned char)*p)) return -1;
    while (isdigit((unsigned char)*p)) ++p; /* fractions of a second do not change the day */
  }
  if (*p == 'Z') ++p;
  if (*p) return -1;
  *sec = (int64_t)h * 3600 + mi * 60 + s;
  return 0;
}

int tw_date_parse(const char *text, int64_t *seconds) {
  const char *p = text;
  int y, m, d;
  if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &m) || *p++ != '-' || digits(&p, 2, &d)) return -1;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return -1;
  int64_t sec = 0;
  if (*p == 'T') {
    if (parse_time(p + 1, &sec)) return -1;
  } else if (*p) {
    return -1;
  }
  *seconds = days_from_civil(y, m, d) * 86400 + sec;
  return 0;
}

int64_t tw_date_day(int64_t seconds) {
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}
