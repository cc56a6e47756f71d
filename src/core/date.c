/*
** date.c: dates and timestamps of imported records (date.h). Synthea writes
** birth, death and condition dates as YYYY-MM-DD and observation times as
** YYYY-MM-DDTHH:MM:SSZ (UTC); both become seconds since 1970-01-01 UTC so that
** "latest before the reference date" is one integer comparison. Personal
** records carry their UTC offset (2026-03-29T03:05:00+02:00), which is taken
** off so that a clock change leaves the instants in order. Days from the civil
** calendar by H. Hinnant's days_from_civil and civil_from_days (proleptic
** Gregorian).
*/
#include "core/date.h"

#include <ctype.h> /* isdigit */
#include <stdio.h> /* snprintf */

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

/* "Z", "+HH:MM", "+HHMM" or "+HH" (or '-') at p, to the end: minutes east of UTC. */
static int parse_offset(const char *p, int *offset_min) {
  if (*p == 'Z' && !p[1]) return *offset_min = 0, 0;
  if (*p != '+' && *p != '-') return -1;
  const int sign = *p++ == '-' ? -1 : 1;
  int h, m = 0;
  if (digits(&p, 2, &h)) return -1;
  if (*p == ':') ++p;
  if (*p && digits(&p, 2, &m)) return -1;
  if (*p || h > 18 || m > 59 || h * 60 + m > 18 * 60) return -1;
  *offset_min = sign * (h * 60 + m);
  return 0;
}

/* "HH:MM[:SS[.f...]]" at *p: milliseconds of the day; leaves *p after it. */
static int parse_clock(const char **p, int64_t *ms) {
  int h, mi, s = 0, frac = 0;
  if (digits(p, 2, &h) || *(*p)++ != ':' || digits(p, 2, &mi)) return -1;
  if (**p == ':' && (++*p, digits(p, 2, &s))) return -1;
  if (h > 23 || mi > 59 || s > 60) return -1;
  if (**p == '.' || **p == ',') {
    ++*p;
    if (!isdigit((unsigned char)**p)) return -1;
    for (int k = 0; isdigit((unsigned char)**p); ++k, ++*p)
      if (k < 3) frac += (**p - '0') * (k == 0 ? 100 : k == 1 ? 10 : 1);
  }
  *ms = ((int64_t)h * 3600 + mi * 60 + s) * 1000 + frac;
  return 0;
}

int tw_time_parse(const char *text, int64_t *utc_ms, int *offset_min) {
  const char *p = text;
  int y, m, d, off;
  int64_t ms;
  if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &m) || *p++ != '-' || digits(&p, 2, &d)) return -1;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return -1;
  if (*p != 'T' && *p != ' ') return -1;
  ++p;
  if (parse_clock(&p, &ms) || parse_offset(p, &off)) return -1;
  *utc_ms = days_from_civil(y, m, d) * 86400000 + ms - (int64_t)off * 60000;
  *offset_min = off;
  return 0;
}

/* The civil date of a day number (inverse of days_from_civil). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

void tw_time_format(int64_t utc_ms, char out[48]) {
  const int64_t day = utc_ms >= 0 ? utc_ms / 86400000 : -((-utc_ms + 86399999) / 86400000);
  const int64_t rest = utc_ms - day * 86400000;
  int64_t y;
  int m, d;
  civil_from_days(day, &y, &m, &d);
  snprintf(out, 48, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(rest / 3600000),
           (int)(rest / 60000 % 60), (int)(rest / 1000 % 60), (int)(rest % 1000));
}
