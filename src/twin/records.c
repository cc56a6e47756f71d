/*
** records.c: the records import's entry point (records.h): checks the options,
** reads a long CSV or a Nightscout folder and the persons CSV into the builder,
** finishes the table, and always wipes the index of source ids. Also the names
** and explanations of the reasons and flags, shared by the HDF5 file, the JSON
** report and the command's summary.
*/
#include "twin/records_internal.h"

#include <stdio.h>    /* snprintf */
#include <stdlib.h>   /* free */
#include <string.h>   /* memset, strcpy */
#include <sys/stat.h> /* stat, S_ISDIR */

typedef struct reason_info {
  const char *name, *text;
} reason_info;

static const reason_info REASONS[TW_RR_COUNT] = {
    {"cgm_used", "CGM samples kept"},
    {"cgm_duplicates_merged", "CGM records identical to another at the same instant, kept once"},
    {"cgm_duplicates_conflicting", "CGM records at one instant with different values, all left out"},
    {"cgm_out_of_range", "CGM values outside [10, 1000] mg/dL after conversion, left out"},
    {"cgm_unit_ambiguous", "CGM values without a unit where the person's unitless values fit no single unit, left out"},
    {"cgm_sensor_error_code", "Nightscout sgv below 39 (Dexcom error codes), left out"},
    {"carbs_used", "carbohydrate records kept"},
    {"carbs_duplicates_merged", "carbohydrate records identical to another at the same instant, kept once"},
    {"carbs_duplicates_conflicting", "carbohydrate records at one instant with different amounts, all left out"},
    {"carbs_out_of_range", "carbohydrate records outside (0, 1000] g, left out"},
    {"bolus_used", "bolus records kept"},
    {"bolus_duplicates_merged", "bolus records identical to another at the same instant, kept once"},
    {"bolus_duplicates_conflicting", "bolus records at one instant with different amounts, all left out"},
    {"bolus_out_of_range", "bolus records outside (0, 100] U, left out"},
    {"basal_used", "basal records kept (each starts a segment unless cut at once)"},
    {"basal_duplicates_merged", "basal records identical to another at the same instant, kept once"},
    {"basal_overlapping", "basal records at one instant with different rates: the rate there is unknown, left out"},
    {"basal_out_of_range", "basal rates outside [0, 50] U/h, left out (they still end the rate before)"},
    {"basal_cut_by_next", "temp basals ended before their duration by a later basal record (Nightscout's rule)"},
    {"basal_end_events", "Nightscout temp basals of duration 0: they end the running temp basal"},
    {"temp_basal_percent", "Nightscout temp basals in percent of the profile's rate: the profile is not imported"},
    {"combo_bolus_extended", "the extended part of Nightscout Combo Boluses (relative U/h), not imported"},
    {"entries_not_sgv", "Nightscout entries that are not sgv (mbg, cal, ...), not used"},
    {"treatments_without_inputs", "Nightscout treatments without carbs, insulin or a temp basal (notes, site changes, BG checks, ...)"},
    {"no_usable_time", "Nightscout records without a time, with one lacking its UTC offset, or outside 1970-2200, not used"},
    {"cgm_gaps", "CGM gaps longer than the gap threshold (a count of gaps)"},
    {"utc_offset_changes", "changes of UTC offset between consecutive records (clock changes, travel)"}};

static const char *const FLAGS[TW_REC_FLAG_COUNT] = {"no_cgm",   "cgm_units", "basal_overlap", "duplicate_conflict",
                                                     "no_weight", "cgm_gaps", "no_basal",      "no_records"};

const char *tw_rec_reason_name(tw_rec_reason r) { return REASONS[r].name; }
const char *tw_rec_reason_text(tw_rec_reason r) { return REASONS[r].text; }
const char *tw_rec_flag_name(int bit) { return bit >= 0 && bit < TW_REC_FLAG_COUNT ? FLAGS[bit] : "?"; }

void tw_records_free(tw_records *r) {
  if (!r) return;
  free(r->persons);
  free(r->cgm_min), free(r->cgm_mgdl), free(r->carb_min), free(r->carb_g), free(r->bolus_min), free(r->bolus_u);
  free(r->basal_start_min), free(r->basal_end_min), free(r->basal_u_h), free(r->gap_start_min), free(r->gap_end_min);
  memset(r, 0, sizeof *r);
}

static tw_status check_options(const tw_records_options *opt, int *is_dir) {
  struct stat sb;
  if (!opt || !opt->records) return TW_FAIL(TW_ERR_INPUT, "records import: a records file or folder is required");
  if (stat(opt->records, &sb) != 0) return TW_FAIL(TW_ERR_IO, "%s: no such file or folder", opt->records);
  *is_dir = S_ISDIR(sb.st_mode);
  if (!(opt->gap_min >= 0)) return TW_FAIL(TW_ERR_INPUT, "records import: gap threshold %g min is negative", opt->gap_min);
  if (!(opt->weight_kg >= 0 && opt->weight_kg <= 700))
    return TW_FAIL(TW_ERR_INPUT, "records import: weight %g kg is outside [0, 700]", opt->weight_kg);
  char probe[TW_PSEUDONYM_LEN + 1];
  return tw_pseudonym(opt->salt, "", probe); /* fails on a missing or short salt */
}

/* Nightscout without a persons file: the weight given applies to its one person. */
static void apply_weight(tw_records *t, const tw_records_options *opt, int is_dir) {
  if (is_dir && !opt->persons && opt->weight_kg > 0)
    for (int64_t i = 0; i < t->n; ++i) t->persons[i].weight_kg = opt->weight_kg;
}

static tw_status import(rec_builder *b, const tw_records_options *opt, int is_dir) {
  if (is_dir) TW_TRY(rec_read_nightscout(b, opt->records, opt->person_id));
  else TW_TRY(rec_read_csv(b, opt->records));
  if (opt->persons) TW_TRY(rec_read_persons(b, opt->persons));
  if (b->out->n == 0) return TW_FAIL(TW_ERR_INPUT, "%s: no records and no persons", opt->records);
  apply_weight(b->out, opt, is_dir);
  return rec_finish(b, b->out->gap_min);
}

/* The first place a CGM record was left out, over the persons in order: "REASON at FILE:..." */
static void first_cgm_loss(const tw_records *r, char *buf, size_t cap) {
  static const tw_rec_reason LOST[] = {TW_RR_CGM_UNIT_AMBIGUOUS, TW_RR_CGM_OUT_OF_RANGE, TW_RR_CGM_DUP_CONFLICT,
                                       TW_RR_CGM_ERROR_CODE};
  snprintf(buf, cap, "no cgm record was read");
  for (int64_t i = 0; i < r->n; ++i)
    for (size_t k = 0; k < TW_ARRAY_LEN(LOST); ++k)
      if (r->persons[i].first[LOST[k]][0]) {
        snprintf(buf, cap, "first left out: %s at %s", tw_rec_reason_name(LOST[k]), r->persons[i].first[LOST[k]]);
        return;
      }
}

tw_status tw_records_check_usable(const tw_records *r, const char *what) {
  int64_t fit = 0;
  for (int64_t i = 0; i < r->n; ++i) fit += !(r->persons[i].flags & TW_REC_NO_CGM);
  if (fit > 0) return TW_OK;
  char why[160];
  first_cgm_loss(r, why, sizeof why);
  return TW_FAIL(TW_ERR_INPUT, "%s: no person has a usable CGM sample (%lld person(s); %s)", what, (long long)r->n, why);
}

tw_status tw_records_import(const tw_records_options *opt, tw_records *out) {
  int is_dir = 0;
  memset(out, 0, sizeof *out);
  TW_TRY(check_options(opt, &is_dir));
  rec_builder b = {.out = out, .salt = opt->salt};
  strcpy(out->source, is_dir ? "nightscout" : "csv");
  out->gap_min = opt->gap_min > 0 ? opt->gap_min : 30.0;
  const tw_status st = import(&b, opt, is_dir);
  rec_builder_free(&b);
  if (st != TW_OK) tw_records_free(out);
  return st;
}
