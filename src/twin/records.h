/*
** records.h: a person's own records (CGM, meals, insulin) imported for
** personal twins (issue 11): the long CSV `person_id,time,kind,value,unit` with
** a persons CSV, or a Nightscout export (entries.json, treatments.json). The
** result is the fit's input: per person a pseudonym, covariates, flag bits, and
** the records on one time axis, minutes from that person's first record (UTC).
** docs/personal-twins.md documents the formats, the rules and the HDF5 file.
**
** Units (DESIGN.md invariant 6): glucose mg/dL (mmol/L x TW_REC_MGDL_PER_MMOL),
** carbohydrate g, bolus U, basal U/h, time min.
**
** Nothing is dropped silently: every record that is not used is counted under a
** reason (tw_rec_reason) for its person, with the file and record of its first
** occurrence. Structural errors (a file that is not CSV or JSON, a missing
** column, a time without a UTC offset, an unknown kind or unit) fail the whole
** import with TW_ERR_INPUT naming FILE:LINE[:COL] or FILE: record N (line L);
** a problem of one person only sets that person's flag bits.
**
** The source ids are pseudonymised (core/pseudonym.h) while reading and never
** stored: messages name lines and records, never an id.
*/
#ifndef TW_TWIN_RECORDS_H
#define TW_TWIN_RECORDS_H

#include "core/pseudonym.h" /* TW_PSEUDONYM_LEN */
#include "core/status.h"

TW_EXTERN_C_BEGIN

/* mg/dL per mmol/L of glucose: 10 x its molar mass, 180.156 g/mol (C6H12O6),
** the factor src/cohort uses for the same conversion. */
#define TW_REC_MGDL_PER_MMOL 18.0156

/* Per-person flag bits (/persons/flag). */
typedef enum tw_rec_flag {
  TW_REC_NO_CGM = 1 << 0,        /* no usable CGM sample: the person cannot be fitted */
  TW_REC_CGM_UNITS = 1 << 1,     /* CGM values without a unit that fit neither unit alone: left out */
  TW_REC_BASAL_OVERLAP = 1 << 2, /* basal records at one instant with different rates: that segment left out */
  TW_REC_DUP_CONFLICT = 1 << 3,  /* CGM, carbs or bolus records at one instant with different values: left out */
  TW_REC_NO_WEIGHT = 1 << 4,     /* no body weight (no persons row, or an empty weight_kg) */
  TW_REC_CGM_GAPS = 1 << 5,      /* at least one CGM gap longer than gap_min */
  TW_REC_NO_BASAL = 1 << 6,      /* no basal segment at all */
  TW_REC_NO_RECORDS = 1 << 7,    /* a persons row without any record */
  TW_REC_FLAG_COUNT = 8
} tw_rec_flag;

/* Reasons counted per person (/report/<name>). "used" counts records kept. */
typedef enum tw_rec_reason {
  TW_RR_CGM_USED,               /* cgm_used */
  TW_RR_CGM_DUP_MERGED,         /* cgm_duplicates_merged: identical records at one instant, kept once */
  TW_RR_CGM_DUP_CONFLICT,       /* cgm_duplicates_conflicting: one instant, different values: all left out */
  TW_RR_CGM_OUT_OF_RANGE,       /* cgm_out_of_range: outside [10, 1000] mg/dL after conversion */
  TW_RR_CGM_UNIT_AMBIGUOUS,     /* cgm_unit_ambiguous: no unit, and the person's unitless values fit no single unit */
  TW_RR_CGM_ERROR_CODE,         /* cgm_sensor_error_code: Nightscout sgv below 39 (Dexcom error codes) */
  TW_RR_CARBS_USED,             /* carbs_used */
  TW_RR_CARBS_DUP_MERGED,       /* carbs_duplicates_merged */
  TW_RR_CARBS_DUP_CONFLICT,     /* carbs_duplicates_conflicting */
  TW_RR_CARBS_OUT_OF_RANGE,     /* carbs_out_of_range: outside (0, 1000] g */
  TW_RR_BOLUS_USED,             /* bolus_used */
  TW_RR_BOLUS_DUP_MERGED,       /* bolus_duplicates_merged */
  TW_RR_BOLUS_DUP_CONFLICT,     /* bolus_duplicates_conflicting */
  TW_RR_BOLUS_OUT_OF_RANGE,     /* bolus_out_of_range: outside (0, 100] U */
  TW_RR_BASAL_USED,             /* basal_used: records that start a segment */
  TW_RR_BASAL_DUP_MERGED,       /* basal_duplicates_merged */
  TW_RR_BASAL_OVERLAP,          /* basal_overlapping: one instant, different rates: left out */
  TW_RR_BASAL_OUT_OF_RANGE,     /* basal_out_of_range: outside [0, 50] U/h */
  TW_RR_BASAL_CUT,              /* basal_cut_by_next: a temp basal ended early by a later one (Nightscout's rule) */
  TW_RR_BASAL_END,              /* basal_end_events: Nightscout temp basals of duration 0 (a cancel) */
  TW_RR_BASAL_PERCENT,          /* temp_basal_percent: Nightscout temp basal in % of the profile's rate (not imported) */
  TW_RR_COMBO_EXTENDED,         /* combo_bolus_extended: the extended part of a Nightscout Combo Bolus */
  TW_RR_ENTRY_NOT_SGV,          /* entries_not_sgv: Nightscout entries of type mbg, cal, ... */
  TW_RR_TREATMENT_NO_INPUT,     /* treatments_without_inputs: no carbs, insulin or temp basal (notes, site changes, ...) */
  TW_RR_NO_TIME,                /* no_usable_time: a Nightscout record without a time, one lacking its UTC offset, or outside 1970-2200 */
  TW_RR_CGM_GAPS,               /* cgm_gaps: gaps longer than gap_min (a count, not records) */
  TW_RR_UTC_OFFSET_CHANGES,     /* utc_offset_changes: the offset changed between consecutive records (clock changes, travel) */
  TW_RR_COUNT
} tw_rec_reason;

/* One person. Records of kind K are rows [K_begin, K_begin + n_K) of the
** table's arrays, in time order. */
typedef struct tw_rec_person {
  char id[TW_PSEUDONYM_LEN + 1]; /* hex(HMAC-SHA-256(salt, source id)) */
  double weight_kg;              /* NaN when missing (flag TW_REC_NO_WEIGHT) */
  double age_y, height_cm;       /* NaN when missing */
  int sex;                       /* 0 female, 1 male, -1 missing */
  uint32_t flags;                /* tw_rec_flag bits */
  int64_t t0_ms;                 /* the first record's instant, ms since 1970-01-01T00:00:00Z */
  double end_min;                /* the last record's minute */
  int64_t cgm_begin, n_cgm, carb_begin, n_carb, bolus_begin, n_bolus, basal_begin, n_basal, gap_begin, n_gap;
  int64_t count[TW_RR_COUNT];    /* per reason */
  char first[TW_RR_COUNT][96];   /* where each reason first occurred ("records.csv:17", "treatments.json: record 3 (line 9)"), "" if never */
} tw_rec_person;

typedef struct tw_records {
  int64_t n;              /* persons */
  tw_rec_person *persons; /* (n) */
  /* Shared arrays; each person owns a contiguous range, in time order. */
  double *cgm_min, *cgm_mgdl;                            /* (n_cgm)   min, mg/dL */
  double *carb_min, *carb_g;                             /* (n_carb)  min, g */
  double *bolus_min, *bolus_u;                           /* (n_bolus) min, U */
  double *basal_start_min, *basal_end_min, *basal_u_h;   /* (n_basal) min, min, U/h: rate on [start, end) */
  double *gap_start_min, *gap_end_min;                   /* (n_gap)   min: CGM samples on both ends, none between */
  int64_t n_cgm, n_carb, n_bolus, n_basal, n_gap;
  char source[16];        /* "csv" or "nightscout" */
  double gap_min;         /* the gap threshold used */
  int64_t source_records; /* data rows / JSON records read (records and persons files) */
} tw_records;

typedef struct tw_records_options {
  const char *records;   /* a long CSV file, or a Nightscout folder holding entries.json and treatments.json */
  const char *persons;   /* the persons CSV (person_id,weight_kg[,age_y,sex,height_cm]); NULL: none */
  const char *salt;      /* at least TW_SALT_MIN_BYTES bytes; never written anywhere */
  double gap_min;        /* CGM gaps longer than this (min) are reported; 0: the default, 30 */
  const char *person_id; /* Nightscout: the person's source id (NULL: the folder's name) */
  double weight_kg;      /* Nightscout without a persons CSV: the weight (0: none) */
} tw_records_options;

/* Imports the records. On failure *out is empty. A person whose records are
** unusable is flagged, not an error: see tw_records_check_usable. */
tw_status tw_records_import(const tw_records_options *opt, tw_records *out);
/* TW_ERR_INPUT "WHAT: no person has a usable CGM sample ..." when every person
** is flagged TW_REC_NO_CGM: the whole input is unusable for a fit. */
tw_status tw_records_check_usable(const tw_records *r, const char *what);
void tw_records_free(tw_records *r);

/* Names as written to HDF5 and JSON, and one line of explanation. */
const char *tw_rec_reason_name(tw_rec_reason r);
const char *tw_rec_reason_text(tw_rec_reason r);
const char *tw_rec_flag_name(int bit); /* bit 0 .. TW_REC_FLAG_COUNT-1: "no_cgm", ... */

/* Writes the records file (docs/personal-twins.md): /persons/..., /cgm/...,
** /carbs/..., /bolus/..., /basal/..., /gaps/..., /report/<reason>; root
** attributes. Written to PATH.partial and renamed on success. TW_ERR_UNSUPPORTED
** without HDF5. */
tw_status tw_records_write_h5(const tw_records *r, const char *path);
/* Reads a records file back (what the fit calls): everything but `first`, which
** only the JSON report keeps. */
tw_status tw_records_read_h5(const char *path, tw_records *out);
/* Writes the import report as JSON: totals per reason, flags, per person counts. */
tw_status tw_records_write_report(const tw_records *r, const char *path);

TW_EXTERN_C_END

#endif
