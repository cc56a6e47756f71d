/*
** records_report.c: the import report as JSON (records.h): what was read, the
** totals per reason with their explanations, how many persons carry each flag,
** and per person (by pseudonym) the flags, the counts per reason and where each
** reason first occurred (file and line or record), so that nothing left out is
** left unexplained. Holds no source id: only pseudonyms, counts and places.
*/
#include "twin/records.h"


#include "core/date.h"
#include "core/json.h"

static void write_totals(tw_json_writer *w, const tw_records *r) {
  tw_json_key(w, "totals");
  tw_json_begin_object(w);
  for (int k = 0; k < TW_RR_COUNT; ++k) {
    int64_t sum = 0;
    for (int64_t i = 0; i < r->n; ++i) sum += r->persons[i].count[k];
    tw_json_key(w, tw_rec_reason_name((tw_rec_reason)k));
    tw_json_int(w, sum);
  }
  tw_json_end_object(w);
  tw_json_key(w, "reasons");
  tw_json_begin_object(w);
  for (int k = 0; k < TW_RR_COUNT; ++k) {
    tw_json_key(w, tw_rec_reason_name((tw_rec_reason)k));
    tw_json_string(w, tw_rec_reason_text((tw_rec_reason)k));
  }
  tw_json_end_object(w);
}

static void write_flag_counts(tw_json_writer *w, const tw_records *r) {
  tw_json_key(w, "flags");
  tw_json_begin_object(w);
  for (int b = 0; b < TW_REC_FLAG_COUNT; ++b) {
    int64_t n = 0;
    for (int64_t i = 0; i < r->n; ++i) n += (r->persons[i].flags >> b) & 1;
    tw_json_key(w, tw_rec_flag_name(b));
    tw_json_int(w, n);
  }
  tw_json_end_object(w);
}

static void write_person_counts(tw_json_writer *w, const tw_rec_person *p) {
  tw_json_key(w, "counts");
  tw_json_begin_object(w);
  for (int k = 0; k < TW_RR_COUNT; ++k)
    if (p->count[k]) tw_json_key(w, tw_rec_reason_name((tw_rec_reason)k)), tw_json_int(w, p->count[k]);
  tw_json_end_object(w);
  tw_json_key(w, "first");
  tw_json_begin_object(w);
  for (int k = 0; k < TW_RR_COUNT; ++k)
    if (p->first[k][0]) tw_json_key(w, tw_rec_reason_name((tw_rec_reason)k)), tw_json_string(w, p->first[k]);
  tw_json_end_object(w);
}

static void write_person(tw_json_writer *w, const tw_rec_person *p) {
  char t0[48];
  tw_time_format(p->t0_ms, t0);
  tw_json_begin_object(w);
  tw_json_key(w, "id"), tw_json_string(w, p->id);
  tw_json_key(w, "flag"), tw_json_int(w, p->flags);
  tw_json_key(w, "flags");
  tw_json_begin_array(w);
  for (int b = 0; b < TW_REC_FLAG_COUNT; ++b)
    if ((p->flags >> b) & 1) tw_json_string(w, tw_rec_flag_name(b));
  tw_json_end_array(w);
  tw_json_key(w, "t0_utc"), tw_json_string(w, t0);
  tw_json_key(w, "end_min"), tw_json_number(w, p->end_min);
  tw_json_key(w, "weight_kg"), tw_json_number(w, p->weight_kg);
  tw_json_key(w, "n_cgm"), tw_json_int(w, p->n_cgm);
  tw_json_key(w, "n_carbs"), tw_json_int(w, p->n_carb);
  tw_json_key(w, "n_bolus"), tw_json_int(w, p->n_bolus);
  tw_json_key(w, "n_basal_segments"), tw_json_int(w, p->n_basal);
  tw_json_key(w, "n_gaps"), tw_json_int(w, p->n_gap);
  write_person_counts(w, p);
  tw_json_end_object(w);
}

static void report_document(tw_json_writer *w, const void *ctx) {
  const tw_records *r = ctx;
  tw_json_begin_object(w);
  tw_json_key(w, "source"), tw_json_string(w, r->source);
  tw_json_key(w, "source_records"), tw_json_int(w, r->source_records);
  tw_json_key(w, "n_persons"), tw_json_int(w, r->n);
  tw_json_key(w, "gap_min"), tw_json_number(w, r->gap_min);
  tw_json_key(w, "mgdl_per_mmol"), tw_json_number(w, TW_REC_MGDL_PER_MMOL);
  write_flag_counts(w, r);
  write_totals(w, r);
  tw_json_key(w, "persons");
  tw_json_begin_array(w);
  for (int64_t i = 0; i < r->n; ++i) write_person(w, &r->persons[i]);
  tw_json_end_array(w);
  tw_json_end_object(w);
}

tw_status tw_records_write_report(const tw_records *r, const char *path) {
  return tw_json_write_file(path, report_document, r);
}
