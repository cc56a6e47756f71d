/*
** date.h: calendar dates and timestamps of imported records, as integers.
**
** tw_date_parse reads the UTC forms Synthea writes (YYYY-MM-DD,
** YYYY-MM-DDTHH:MM:SS[.fff][Z]) and refuses any other offset, because the EHR
** import compares calendar days in UTC (docs/import.md). tw_time_parse reads an
** ISO 8601 timestamp that carries its UTC offset (Z, +HH:MM, +HHMM, -HH:MM, ...),
** the form of personal records (CGM, meals, insulin; docs/personal-twins.md),
** where a local time without its offset is ambiguous across a clock change.
** Days from the civil calendar by H. Hinnant's days_from_civil (proleptic
** Gregorian).
*/
#ifndef TW_CORE_DATE_H
#define TW_CORE_DATE_H

#include "core/defs.h" /* int64_t */

TW_EXTERN_C_BEGIN

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff][Z]" (UTC) into seconds since
** 1970-01-01T00:00:00Z. Returns 0 on success, -1 when the text is not such a
** date or names no real day or time. */
int tw_date_parse(const char *text, int64_t *seconds);
/* Days since 1970-01-01 of a time in seconds (floor). */
int64_t tw_date_day(int64_t seconds);

/* Parses "YYYY-MM-DDTHH:MM[:SS[.f...]]OFFSET" with OFFSET "Z", "+HH:MM", "+HHMM"
** or "+HH" (or '-'), 'T' or one space between date and time, into the UTC instant
** in milliseconds since 1970-01-01T00:00:00Z (fractions beyond a millisecond are
** truncated) and the offset in minutes east of UTC (+60 for +01:00). Returns 0;
** -1 when the text is not such a timestamp, names no real day or time, has an
** offset beyond +-18:00, or has no offset. */
int tw_time_parse(const char *text, int64_t *utc_ms, int *offset_min);
/* Writes a UTC instant (ms since the epoch) as "YYYY-MM-DDTHH:MM:SS.mmmZ" (25 bytes with the NUL for years 0-9999). */
void tw_time_format(int64_t utc_ms, char out[48]);

TW_EXTERN_C_END

#endif
