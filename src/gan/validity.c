/*
** validity.c: the pack checks of decoded rows and the redraw loop
** (validity.h).
*/
#include "gan/validity.h"

#include <math.h>   /* NAN, ceil */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, malloc, free */
#include <string.h> /* memset, memmove, strcmp */

#include "physio/pack.h" /* tw_pack_lookup, tw_pack_param_ok */

double tw_gan_invalid_rate(const tw_gan_validity_stats *s) {
  const int64_t checked = s->drawn - s->off_condition;
  return checked ? (double)s->invalid / (double)checked : 0.0;
}

/* The column of each of the pack's parameters ("<pack>.<param>"). */
static tw_status find_params(const tw_gan_schema *schema, tw_gan_validity *v) {
  const tw_pack *pk = v->pack;
  if (!(v->param_col = calloc((size_t)pk->n_params + 1, sizeof *v->param_col)))
    return TW_FAIL(TW_ERR_NOMEM, "validity: parameter columns");
  for (int q = 0; q < pk->n_params; ++q) {
    char name[256];
    snprintf(name, sizeof name, "%s.%s", pk->name, pk->params[q].name);
    int j = 0;
    while (j < schema->n_cols && strcmp(schema->cols[j].name, name)) ++j;
    if (j == schema->n_cols)
      return TW_FAIL(TW_ERR_INPUT, "the cohort was drawn for pack %s but has no column %s (/cohort/parameters/%s)",
                     pk->name, name, name);
    v->param_col[q] = j;
  }
  return TW_OK;
}

tw_status tw_gan_validity_for(const tw_gan_schema *schema, const char *pack, const tw_cohort_steady_cfg *rule,
                              int threads, tw_gan_validity *out) {
  memset(out, 0, sizeof *out);
  out->rule = rule ? *rule : TW_GAN_STEADY_DEFAULT;
  out->threads = threads;
  if (!pack) return TW_OK;
  TW_TRY(tw_pack_lookup(pack, &out->pack));
  out->steady = tw_cohort_steady_applies(out->pack, &out->rule);
  tw_status st = find_params(schema, out);
  if (st != TW_OK) tw_gan_validity_free(out);
  return st;
}

tw_status tw_gan_validity_init(const tw_gan_transformer *tr, const tw_cohort_steady_cfg *rule, int threads,
                               tw_gan_validity *out) {
  return tw_gan_validity_for(&tr->schema, tr->pack, rule, threads, out);
}

tw_status tw_gan_invalid_share(const tw_gan_validity *v, const tw_gan_table *t, double *share) {
  *share = NAN;
  if (!v->pack || t->n_rows < 1) return TW_OK;
  uint8_t *ok = malloc((size_t)t->n_rows);
  if (!ok) return TW_FAIL(TW_ERR_NOMEM, "validity: %lld rows", (long long)t->n_rows);
  tw_gan_validity_stats stats;
  memset(&stats, 0, sizeof stats);
  tw_status st = tw_gan_validity_check(v, t, ok, &stats);
  if (st == TW_OK) *share = (double)stats.invalid / (double)t->n_rows;
  free(ok);
  return st;
}

void tw_gan_validity_free(tw_gan_validity *v) {
  free(v->param_col);
  memset(v, 0, sizeof *v);
}

/* Rule 1: every parameter of row i in range. */
static int in_range(const tw_gan_validity *v, const tw_gan_table *t, int64_t i) {
  for (int q = 0; q < v->pack->n_params; ++q)
    if (!tw_pack_param_ok(v->pack, q, tw_gan_col(t, v->param_col[q])[i])) return 0;
  return 1;
}

/* Rule 2 on the m rows ids[] that passed rule 1. */
static tw_status steady_rule(const tw_gan_validity *v, const tw_gan_table *t, const int64_t *ids, int64_t m,
                             uint8_t *ok, tw_gan_validity_stats *stats) {
  int np = v->pack->n_params;
  double *params = malloc((size_t)np * (size_t)t->n_rows * sizeof *params + 1);
  tw_steady_result *res = malloc((size_t)m * sizeof *res + 1);
  tw_status st = params && res ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "validity: the steady-state check of %lld rows", (long long)m);
  for (int q = 0; st == TW_OK && q < np; ++q)
    memcpy(params + (size_t)q * (size_t)t->n_rows, tw_gan_col(t, v->param_col[q]), (size_t)t->n_rows * sizeof *params);
  if (st == TW_OK)
    st = tw_cohort_steady_check(v->pack, &v->rule, params, t->n_rows, ids, m, 256, v->threads, res);
  for (int64_t k = 0; st == TW_OK && k < m; ++k) {
    if (res[k].verdict == TW_STEADY_PASS) continue;
    ok[ids[k]] = 0;
    ++stats->no_steady, ++stats->invalid;
    ++stats->steady_by[res[k].verdict];
  }
  free(params), free(res);
  return st;
}

tw_status tw_gan_validity_check(const tw_gan_validity *v, const tw_gan_table *rows, uint8_t *ok,
                                tw_gan_validity_stats *stats) {
  int64_t n = rows->n_rows, m = 0;
  for (int64_t i = 0; i < n; ++i) ok[i] = 1;
  if (!v->pack) return TW_OK;
  int64_t *ids = malloc((size_t)n * sizeof *ids + 1);
  if (!ids) return TW_FAIL(TW_ERR_NOMEM, "validity: %lld rows", (long long)n);
  for (int64_t i = 0; i < n; ++i) {
    if (in_range(v, rows, i)) {
      ids[m++] = i;
      continue;
    }
    ok[i] = 0;
    ++stats->out_of_range, ++stats->invalid;
  }
  tw_status st = v->steady && m ? steady_rule(v, rows, ids, m, ok, stats) : TW_OK;
  free(ids);
  return st;
}

/* ---- the redraw loop ---- */

/* The candidates of one call (TW_GAN_SAMPLE_CALL rows at most) and their verdicts. */
typedef struct call_buffers {
  uint8_t *ok;
  tw_gan_table cand;
} call_buffers;

/* Copies the valid rows of the c candidates into out from row *filled on, up
** to out's rows. */
static void keep_valid(const tw_gan_table *cand, const uint8_t *ok, int64_t c, tw_gan_table *out, int64_t *filled) {
  int nc = out->schema->n_cols;
  for (int64_t i = 0; i < c && *filled < out->n_rows; ++i) {
    if (!ok[i]) continue;
    for (int j = 0; j < nc; ++j) out->data[(size_t)j * (size_t)out->n_rows + (size_t)*filled] = tw_gan_col(cand, j)[i];
    ++*filled;
  }
}

/* One call of the source: c candidates from number *next on (the source may
** keep fewer: rejection sampling). */
static tw_status one_call(const tw_gan_validity *v, tw_gan_rows_fn rows, void *ctx, int64_t c, call_buffers *b,
                          uint64_t *next, tw_gan_table *out, int64_t *filled, tw_gan_validity_stats *stats) {
  b->cand.n_rows = c; /* the first c rows of the buffer, columns c apart */
  TW_TRY(rows(ctx, *next, &b->cand));
  const int64_t kept = b->cand.n_rows;
  TW_TRY(tw_gan_validity_check(v, &b->cand, b->ok, stats));
  keep_valid(&b->cand, b->ok, kept, out, filled);
  *next += (uint64_t)c;
  stats->drawn += c;
  stats->off_condition += c - kept;
  return TW_OK;
}

static tw_status too_few(const tw_gan_validity_stats *s, int64_t filled, int64_t n) {
  return TW_FAIL(TW_ERR_INPUT, "the rows drawn are too often not physiological: after %d rounds, %lld of %lld "
                               "rows valid (%lld drawn, invalid rate %.4f: %lld with a parameter out of range, %lld "
                               "without a steady state at the basal rate)",
                 s->rounds, (long long)filled, (long long)n, (long long)s->drawn, tw_gan_invalid_rate(s),
                 (long long)s->out_of_range, (long long)s->no_steady);
}

/* Candidates for a round that misses `missing` rows: as many, or with
** rejection sampling as many over the share kept so far (a hundred times as
** many while none was kept), at most TW_GAN_REJECT_ROUND_MAX. */
static int64_t round_size(const tw_gan_validity_stats *s, int64_t missing) {
  if (!s->off_condition) return missing;
  const int64_t kept = s->drawn - s->off_condition;
  const double want = kept ? ceil((double)missing * (double)s->drawn / (double)kept) : 100.0 * (double)missing;
  return want < TW_GAN_REJECT_ROUND_MAX ? (int64_t)want : TW_GAN_REJECT_ROUND_MAX;
}

static tw_status none_kept(const tw_gan_validity_stats *s) {
  return TW_FAIL(TW_ERR_INPUT, "rejection sampling: the generator gave the condition's category in none of %lld "
                               "candidates (condition it by its vector instead)", (long long)s->drawn);
}

static tw_status rounds(const tw_gan_validity *v, tw_gan_rows_fn rows, void *ctx, int64_t n, int max_rounds,
                        call_buffers *b, tw_gan_table *out, tw_gan_validity_stats *stats) {
  int64_t filled = 0;
  uint64_t next = 0;
  while (filled < n) {
    if (stats->rounds == max_rounds) return too_few(stats, filled, n);
    if (stats->drawn >= TW_GAN_REJECT_GIVE_UP && stats->off_condition == stats->drawn) return none_kept(stats);
    ++stats->rounds;
    int64_t want = round_size(stats, n - filled);
    for (int64_t done = 0; done < want && filled < n; done += TW_GAN_SAMPLE_CALL) {
      int64_t c = want - done < TW_GAN_SAMPLE_CALL ? want - done : TW_GAN_SAMPLE_CALL;
      TW_TRY(one_call(v, rows, ctx, c, b, &next, out, &filled, stats));
    }
  }
  return TW_OK;
}

tw_status tw_gan_valid_rows(const tw_gan_schema *schema, const tw_gan_validity *v, tw_gan_rows_fn rows, void *ctx,
                            int64_t n, int max_rounds, tw_gan_table *out, tw_gan_validity_stats *stats) {
  memset(stats, 0, sizeof *stats);
  memset(out, 0, sizeof *out);
  if (n < 1) return TW_FAIL(TW_ERR_INPUT, "--n %lld: ask for at least one row", (long long)n);
  TW_TRY(tw_gan_table_alloc(schema, n, out));
  call_buffers b = {.ok = malloc(TW_GAN_SAMPLE_CALL)};
  tw_status st = b.ok ? tw_gan_table_alloc(schema, TW_GAN_SAMPLE_CALL, &b.cand) : TW_FAIL(TW_ERR_NOMEM, "sampling: buffers");
  if (st == TW_OK) st = rounds(v, rows, ctx, n, max_rounds > 0 ? max_rounds : 100, &b, out, stats);
  free(b.ok);
  tw_gan_table_free(&b.cand);
  if (st != TW_OK) tw_gan_table_free(out);
  return st;
}

/* ---- a baseline as a source of rows ---- */

static tw_status baseline_rows(void *ctx, uint64_t first_row, tw_gan_table *cand) {
  return tw_gan_baseline_fill(ctx, (int64_t)first_row, cand);
}

tw_status tw_gan_baseline_valid_rows(const tw_gan_baseline *b, const tw_gan_schema *schema, const tw_gan_validity *v,
                                     int64_t n, tw_gan_table *out, tw_gan_validity_stats *stats) {
  return tw_gan_valid_rows(schema, v, baseline_rows, (void *)b, n, 0, out, stats);
}

/* ---- a generator as a source of rows ---- */

typedef struct gen_source {
  const tw_gan_transformer *tr;
  const tw_gan_cond_sampler *sampler;
  tw_gan_generate_fn gen;
  void *ctx;
  const tw_gan_sample_request *req;
  float *cond, *out; /* (TW_GAN_SAMPLE_CALL, cond_width), (TW_GAN_SAMPLE_CALL, width) */
} gen_source;

static void make_conditions(const gen_source *g, uint64_t first, int64_t c) {
  const tw_gan_sample_request *req = g->req;
  int w = g->tr->layout.cond_width;
  if (!req->cond) {
    tw_gan_cond_sample(g->sampler, req->kind, req->seed, first, c, g->cond);
    return;
  }
  for (int64_t i = 0; i < c; ++i) memcpy(g->cond + i * w, req->cond, (size_t)w * sizeof *g->cond);
}

/* Rejection sampling: the generated rows of the condition's category moved to
** the front of out, in order; returns their count. */
static int64_t keep_category(const tw_gan_reject *rj, int width, float *out, int64_t c) {
  int64_t kept = 0;
  for (int64_t i = 0; i < c; ++i) {
    const float *row = out + i * width;
    if (tw_gan_argmax(row + rj->start, rj->width) != rj->cat) continue;
    if (kept != i) memmove(out + kept * width, row, (size_t)width * sizeof *out);
    ++kept;
  }
  return kept;
}

/* The generator's candidates first_row.. decoded into cand (those of the
** condition's category only, with rejection sampling). */
static tw_status generated_rows(void *ctx, uint64_t first_row, tw_gan_table *cand) {
  gen_source *g = ctx;
  make_conditions(g, first_row, cand->n_rows);
  TW_TRY(g->gen(g->ctx, cand->n_rows, g->cond, first_row, g->out));
  if (g->req->reject) cand->n_rows = keep_category(g->req->reject, g->tr->layout.width, g->out, cand->n_rows);
  tw_gan_decode(g->tr, g->out, cand->n_rows, cand, 0);
  return TW_OK;
}

tw_status tw_gan_sample_valid(const tw_gan_transformer *tr, const tw_gan_cond_sampler *sampler,
                              const tw_gan_validity *v, tw_gan_generate_fn gen, void *ctx,
                              const tw_gan_sample_request *req, tw_gan_table *out, tw_gan_validity_stats *stats) {
  memset(stats, 0, sizeof *stats);
  memset(out, 0, sizeof *out);
  if (!req->cond && !sampler) return TW_FAIL(TW_ERR_INTERNAL, "sampling without a condition needs the sampler");
  if (req->cond && req->reject) return TW_FAIL(TW_ERR_INTERNAL, "a fixed condition vector and rejection sampling");
  const tw_gan_layout *l = &tr->layout;
  gen_source g = {.tr = tr, .sampler = sampler, .gen = gen, .ctx = ctx, .req = req,
                  .cond = malloc((size_t)TW_GAN_SAMPLE_CALL * (size_t)l->cond_width * sizeof(float) + 1),
                  .out = malloc((size_t)TW_GAN_SAMPLE_CALL * (size_t)l->width * sizeof(float) + 1)};
  tw_status st = g.cond && g.out ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "sampling: buffers");
  if (st == TW_OK) st = tw_gan_valid_rows(&tr->schema, v, generated_rows, &g, req->n, req->max_rounds, out, stats);
  free(g.cond), free(g.out);
  return st;
}
