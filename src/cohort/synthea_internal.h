/*
** synthea_internal.h: what the Synthea importer's files share inside
** src/cohort/ (synthea_patients.c reads patients.csv and builds the index of
** source ids; synthea_join.c joins observations and conditions through it).
** The index is the only place a source id lives; it is wiped and freed before
** the import returns.
*/
#ifndef TW_COHORT_SYNTHEA_INTERNAL_H
#define TW_COHORT_SYNTHEA_INTERNAL_H

#include "cohort/synthea.h"

typedef struct synthea_entry {
  char *source_id; /* patients.csv Id: never leaves the import */
  int64_t person;  /* row of the table, or -1 for a person left out (deceased, unborn) */
  int64_t line;    /* of patients.csv, for the duplicate message */
} synthea_entry;

typedef struct synthea_index {
  synthea_entry *entries; /* sorted by source_id once patients.csv is read */
  int64_t n, cap;
} synthea_index;

/* Reads patients.csv into the table and the index. */
tw_status synthea_read_patients(const char *path, const tw_import_options *opt, int64_t ref_day,
                                tw_person_table *t, synthea_index *ix);
/* The entry of a source id, or NULL. */
const synthea_entry *synthea_find(const synthea_index *ix, const char *source_id);
/* Wipes the source ids and frees the index. */
void synthea_index_free(synthea_index *ix);

/* The latest value on or before the reference day of each LOINC code. */
tw_status synthea_join_observations(const char *path, int64_t ref_day, const synthea_index *ix,
                                    tw_person_table *t);
/* The three conditions active on the reference day. */
tw_status synthea_join_conditions(const char *path, int64_t ref_day, const synthea_index *ix, tw_person_table *t);

#endif
