/*
** records_internal.h: what the records importer's files share inside
** src/twin/ (records_csv.c and records_nightscout.c read files into raw
** records; records_build.c turns them into the table of records.h).
**
** Raw records keep the instant in UTC milliseconds and where they came from
** (file and line or record), so that every reason counted can name its first
** occurrence. Source ids live only in the builder's index, wiped and freed with it.
*/
#ifndef TW_TWIN_RECORDS_INTERNAL_H
#define TW_TWIN_RECORDS_INTERNAL_H

#include "twin/records.h"

typedef enum rec_kind { REC_CGM, REC_CARBS, REC_BOLUS, REC_BASAL, REC_KINDS } rec_kind;
typedef enum rec_unit { REC_UNIT_NONE, REC_UNIT_MGDL, REC_UNIT_MMOL } rec_unit;

typedef struct rec_raw {
  int64_t ms;       /* UTC instant, ms since the epoch */
  double value;     /* cgm in its unit; carbs g; bolus U; basal U/h (NaN: a Nightscout end event) */
  double dur_min;   /* basal: how long it holds (INFINITY: until the next basal record) */
  int64_t where;    /* CSV line, or JSON record number (1-based) */
  int64_t line;     /* JSON: the record's line; CSV: 0 */
  int32_t person;
  int16_t offset_min; /* the UTC offset the time was written with */
  uint8_t kind, unit, file;
} rec_raw;

enum { REC_MAX_FILES = 4 };

typedef struct rec_builder {
  rec_raw *raw;
  int64_t n_raw, cap_raw;
  char **keys;     /* open-addressing index of source ids (wiped and freed at the end) */
  int32_t *vals;   /* person of each slot */
  int64_t cap_keys;
  tw_records *out; /* persons grow here */
  int64_t cap_persons;
  const char *salt;
  char files[REC_MAX_FILES][256]; /* names used in messages (the last part of each file's path) */
  int n_files;
} rec_builder;

/* The person of a source id, added (pseudonymised, covariates missing) when new. */
tw_status rec_person(rec_builder *b, const char *source_id, int32_t *person);
/* Appends one raw record. */
tw_status rec_push(rec_builder *b, const rec_raw *r);
/* Counts n records of person p under reason r, remembering the first place. */
void rec_note(rec_builder *b, int32_t p, tw_rec_reason r, int64_t n, const rec_raw *at);
/* Registers a file name for messages; returns its index. */
int rec_file(rec_builder *b, const char *path);
/* "FILE:LINE" or "FILE: record N (line L)" of a raw record. */
void rec_where(const rec_builder *b, const rec_raw *at, char *buf, size_t cap);

/* The readers. */
tw_status rec_read_csv(rec_builder *b, const char *path);
tw_status rec_read_persons(rec_builder *b, const char *path);
tw_status rec_read_nightscout(rec_builder *b, const char *dir, const char *person_id);

/* Sorts, resolves units, duplicates, basal segments and gaps, and fills b->out. */
tw_status rec_finish(rec_builder *b, double gap_min);
void rec_builder_free(rec_builder *b);

#endif
