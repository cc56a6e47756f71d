/*
** fed_report.c: what a federated run tells (fed.h): the row of each round
** and its progress line, the status a stopped run returns, and at the end the
** global model file and the JSON report:
**   {"algorithm": "fedavg", "mu": 0, "secure_aggregation": true, "rounds": R,
**    "local_steps": k, "round0": r0, "sites": [{"name", "ranks", "files"}...],
**    "n_params": n, "update_bytes": b, "bytes": total, "seconds": s,
**    "privacy": {"epsilon_budget", "delta", "max_grad_norm", "noise_multiplier",
**                "site_epsilon": {"adults": e, ...}}              (with DP only),
**    "curve": [{"round": r, "global_val_loss": x, "bytes": b, "sampled": m,
**               "site_val_loss": {"adults": x, ...}, "site_epsilon": {...} (DP)}, ...]}
** Row r is the global model after r rounds; its bytes are those that crossed
** between sites in round r (the global weights out, the reports and updates in).
*/
#include "fed/fed_internal.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* realloc, free */

#include "core/json.h"
#include "core/log.h"

void tw_fed_keep_failure(tw_fed *f, tw_status st) {
  if (f->failed) return;
  f->failed = st;
  snprintf(f->failed_msg, sizeof f->failed_msg, "%s", tw_error_message());
}

static int n_sampled(const tw_fed *f) {
  int m = 0;
  for (int s = 0; s < f->c->n_sites; ++s) m += f->sampled[s];
  return m;
}

static void progress(const tw_fed *f, int64_t r, double global_loss, int64_t bytes) {
  char sites[1024];
  size_t at = 0;
  sites[0] = '\0';
  for (int s = 0; s < f->c->n_sites && at < sizeof sites; ++s)
    at += (size_t)snprintf(sites + at, sizeof sites - at, "%s%s %.4g", s ? ", " : "", f->c->sites[s].name,
                           f->site_loss[s]);
  tw_log(TW_LOG_INFO, "fed: round %lld/%lld  global validation %.5g  sites: %s  %lld bytes", (long long)r,
         (long long)f->R, global_loss, sites, (long long)bytes);
}

tw_status tw_fed_row(tw_fed *f, int64_t r, double global_loss, tw_fed_report *rep) {
  const int n = f->c->n_sites, w = tw_fed_row_width(n);
  double *rows = realloc(rep->rows, (size_t)(rep->n_rows + 1) * (size_t)w * sizeof *rows);
  if (!rows) return TW_FAIL(TW_ERR_NOMEM, "fed: report rows");
  rep->rows = rows;
  double *row = rows + rep->n_rows++ * w;
  const int64_t bytes = f->audit.bytes_sent + f->audit.bytes_received;
  row[0] = (double)r, row[1] = global_loss, row[2] = (double)(bytes - f->bytes_mark), row[3] = n_sampled(f);
  for (int s = 0; s < n; ++s) row[4 + s] = f->site_loss[s], row[4 + n + s] = f->site_eps[s];
  progress(f, r, global_loss, bytes - f->bytes_mark);
  f->bytes_mark = bytes;
  return TW_OK;
}

tw_status tw_fed_stopped(tw_fed *f, int64_t r, tw_fed_report *rep) {
  if (f->failed) return TW_FAIL(f->failed, "%s", f->failed_msg);
  if (f->stop) {
    f->secondary = 1;
    return TW_FAIL((tw_status)f->stop, "fed: stopped before round %lld: another site failed", (long long)r);
  }
  rep->signal = f->signal;
  return TW_FAIL(TW_ERR_INTERRUPTED, "fed: stopped by signal %d before round %lld; each site's checkpoint written (%s)",
                 (int)f->signal, (long long)r, f->ckpt);
}

/* ---- the JSON report --------------------------------------------------------------- */

typedef struct doc_ctx {
  const tw_fed *f;
  const tw_fed_report *rep;
} doc_ctx;

static void sites_json(tw_json_writer *w, const tw_fed_config *c) {
  tw_json_begin_array(w);
  for (int s = 0; s < c->n_sites; ++s) {
    tw_json_begin_object(w);
    tw_json_key(w, "name"), tw_json_string(w, c->sites[s].name);
    tw_json_key(w, "ranks"), tw_json_int(w, c->sites[s].ranks);
    tw_json_key(w, "files"), tw_json_begin_array(w);
    for (int i = 0; i < c->sites[s].n_files; ++i) tw_json_string(w, c->sites[s].files[i]);
    tw_json_end_array(w);
    tw_json_end_object(w);
  }
  tw_json_end_array(w);
}

static void site_values(tw_json_writer *w, const tw_fed_config *c, const double *v) {
  tw_json_begin_object(w);
  for (int s = 0; s < c->n_sites; ++s) tw_json_key(w, c->sites[s].name), tw_json_number(w, v[s]);
  tw_json_end_object(w);
}

static void curve_json(tw_json_writer *w, const tw_fed_config *c, const tw_fed_report *rep) {
  const int width = tw_fed_row_width(c->n_sites);
  tw_json_begin_array(w);
  for (int64_t i = 0; i < rep->n_rows; ++i) {
    const double *row = rep->rows + i * width;
    tw_json_begin_object(w);
    tw_json_key(w, "round"), tw_json_int(w, (int64_t)row[0]);
    tw_json_key(w, "global_val_loss"), tw_json_number(w, row[1]);
    tw_json_key(w, "bytes"), tw_json_int(w, (int64_t)row[2]);
    tw_json_key(w, "sampled"), tw_json_int(w, (int64_t)row[3]);
    tw_json_key(w, "site_val_loss"), site_values(w, c, row + 4);
    if (c->privacy.epsilon > 0) tw_json_key(w, "site_epsilon"), site_values(w, c, row + 4 + c->n_sites);
    tw_json_end_object(w);
  }
  tw_json_end_array(w);
}

static void report_doc(tw_json_writer *w, const void *ctx) {
  const doc_ctx *d = ctx;
  const tw_fed_config *c = d->f->c;
  const tw_fed_report *rep = d->rep;
  static const char *const algorithms[] = {"fedavg", "fedprox"};
  tw_json_begin_object(w);
  tw_json_key(w, "algorithm"), tw_json_string(w, algorithms[c->federation.algorithm]);
  tw_json_key(w, "mu"), tw_json_number(w, c->federation.algorithm == TW_FED_FEDPROX ? c->federation.mu : 0);
  tw_json_key(w, "secure_aggregation"), tw_json_bool(w, c->federation.secure);
  tw_json_key(w, "fraction"), tw_json_number(w, c->federation.fraction);
  tw_json_key(w, "rounds"), tw_json_int(w, rep->rounds);
  tw_json_key(w, "local_steps"), tw_json_int(w, c->federation.local_steps);
  tw_json_key(w, "round0"), tw_json_int(w, rep->round0);
  tw_json_key(w, "sites"), sites_json(w, c);
  tw_json_key(w, "n_params"), tw_json_int(w, rep->n_params);
  tw_json_key(w, "update_bytes"), tw_json_int(w, rep->update_bytes);
  tw_json_key(w, "bytes"), tw_json_int(w, rep->bytes);
  tw_json_key(w, "seconds"), tw_json_number(w, rep->seconds);
  tw_json_key(w, "backend"), tw_json_string(w, rep->backend);
  if (c->privacy.epsilon > 0) {
    const tw_fed_privacy_cfg *p = &c->privacy;
    tw_json_key(w, "privacy"), tw_json_begin_object(w);
    tw_json_key(w, "epsilon_budget"), tw_json_number(w, p->epsilon);
    tw_json_key(w, "delta"), tw_json_number(w, p->delta);
    tw_json_key(w, "max_grad_norm"), tw_json_number(w, p->max_grad_norm);
    tw_json_key(w, "noise_multiplier"), p->sigma_auto ? tw_json_string(w, "auto") : tw_json_number(w, p->noise_multiplier);
    if (rep->n_rows) tw_json_key(w, "site_epsilon"), site_values(w, c, rep->rows + (rep->n_rows - 1) * tw_fed_row_width(c->n_sites) + 4 + c->n_sites);
    tw_json_end_object(w);
  }
  tw_json_key(w, "curve"), curve_json(w, c, rep);
  tw_json_end_object(w);
}

tw_status tw_fed_finish(tw_fed *f, tw_fed_report *rep) {
  rep->n_params = f->n, rep->update_bytes = (f->n + 1) * (int64_t)sizeof(uint64_t);
  rep->bytes = f->audit.bytes_sent + f->audit.bytes_received;
  snprintf(rep->backend, sizeof rep->backend, "%s", tw_train_backend(f->tr));
  TW_TRY(tw_train_params_set(f->tr, f->w_global));
  TW_TRY(tw_train_save(f->tr, f->c->output.path, f->text, 0));
  const doc_ctx d = {f, rep};
  return tw_json_write_file(f->report_path, report_doc, &d);
}

void tw_fed_report_free(tw_fed_report *rep) {
  free(rep->rows);
  rep->rows = NULL, rep->n_rows = 0;
}
