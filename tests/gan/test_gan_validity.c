/*
** test_gan_validity.c: validity and the redraw loop (src/gan/validity.h) and
** the sampled cohort file (src/gan/cohort_out.h), on a t1d cohort from
** `twinscale cohort generate configs/cohort-t1d.yaml` (argv[1]).
**
** Its first 400 twins are the source, with two kinds of rows made invalid:
** rows i = 3 (mod 10) get kp1 = 1000 mg/kg/min (its range is [0, 100]) and
** rows i = 7 (mod 20) five times their basal insulin u2ss (in range, but
** glucose then falls out of [70, 250] mg/dL at the basal rate). The
** transformer is fitted to that table; a callback "generator" returns, for
** candidate c, the encoded row c mod 400 (activated outputs as the networks
** give them), so that which candidates are invalid is known in advance:
** - 300 rows asked: the loop draws exactly as many candidates as it takes for
**   300 valid ones, refuses the kp1 rows as out of range and the u2ss rows
**   for the steady state (counts and rate exact), and returns the valid rows
**   in candidate order, equal to the decoded source rows;
** - a generator giving only invalid rows fails after max_rounds with the rate;
** - n = 0 is refused;
** - the rows written with tw_gan_cohort_write (to argv[2]) read back as the
**   same table, with /cohort/id and the attributes; `twinscale trial` takes
**   the file (ctest gan_sample_trial, after this test).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/cohort_out.h"
#include "gan/transform_io.h"
#include "gan/validity.h"
#include "io/h5.h"
#include "tw_test.h"

enum { SRC = 400, WANT = 300 };

static const char *cohort_path, *out_path;
static tw_gan_schema schema;
static tw_gan_table source;
static tw_gan_transformer tr;
static float *encoded; /* (SRC, width) */

static int kind_of(int64_t i) { return i % 10 == 3 ? 1 : i % 20 == 7 ? 2 : 0; } /* 1 range, 2 steady */

static int column_of(const char *name) {
  for (int j = 0; j < schema.n_cols; ++j)
    if (!strcmp(schema.cols[j].name, name)) return j;
  return -1;
}

static tw_status setup(void) {
  tw_gan_table full;
  TW_TRY(tw_gan_schema_read(cohort_path, &schema));
  TW_TRY(tw_gan_table_read(cohort_path, "t1d cohort", &schema, &full));
  TW_TRY(tw_gan_table_alloc(&schema, SRC, &source));
  for (int j = 0; j < schema.n_cols; ++j) memcpy(source.data + (size_t)j * SRC, tw_gan_col(&full, j), SRC * sizeof(double));
  tw_gan_table_free(&full);
  int kp1 = column_of("t1d.kp1"), u2ss = column_of("t1d.u2ss");
  if (kp1 < 0 || u2ss < 0) return TW_FAIL(TW_ERR_INPUT, "no t1d.kp1 or t1d.u2ss column");
  for (int64_t i = 0; i < SRC; ++i) {
    if (kind_of(i) == 1) source.data[(size_t)kp1 * SRC + (size_t)i] = 1000.0;
    if (kind_of(i) == 2) source.data[(size_t)u2ss * SRC + (size_t)i] *= 5.0;
  }
  TW_TRY(tw_gan_transformer_fit(&source, 0, &tr));
  TW_TRY(tw_gan_meta_read(cohort_path, &tr));
  if (!(encoded = malloc((size_t)SRC * (size_t)tr.layout.width * sizeof *encoded))) return TW_FAIL(TW_ERR_NOMEM, "test");
  return tw_gan_encode(&tr, &source, 1, 0, SRC, encoded);
}

/* The generator: candidate c is encoded source row (c mod SRC), or always
** row 3 (kp1 out of range) when ctx is non-NULL. */
static tw_status replay(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out) {
  (void)cond;
  int64_t w = tr.layout.width;
  for (int64_t i = 0; i < n; ++i) {
    int64_t src = ctx ? 3 : (int64_t)((first_row + (uint64_t)i) % SRC);
    memcpy(out + i * w, encoded + src * w, (size_t)w * sizeof *out);
  }
  return TW_OK;
}

static void test_redraws(void) {
  tw_gan_validity v;
  tw_gan_cond_sampler s;
  CHECK_OK(tw_gan_validity_init(&tr, NULL, 0, &v));
  CHECK(v.pack && v.steady);
  CHECK_OK(tw_gan_cond_init(&tr, &source, &s));
  tw_gan_sample_request req = {.n = WANT, .kind = TW_GAN_COND_ORIGINAL, .seed = 5};
  tw_gan_table rows;
  tw_gan_validity_stats st;
  CHECK_OK(tw_gan_sample_valid(&tr, &s, &v, replay, NULL, &req, &rows, &st));
  int64_t drawn = 0, valid = 0, range = 0, steady = 0;
  for (; valid < WANT; ++drawn) {
    int k = kind_of(drawn % SRC);
    valid += k == 0, range += k == 1, steady += k == 2;
  }
  printf("redraws: %lld drawn for %d valid in %d rounds: %lld invalid (rate %.4f): %lld out of range, %lld without "
         "a steady state (low %lld, high %lld, drift %lld)\n",
         (long long)st.drawn, WANT, st.rounds, (long long)st.invalid, tw_gan_invalid_rate(&st), (long long)st.out_of_range,
         (long long)st.no_steady, (long long)st.steady_by[TW_STEADY_LOW], (long long)st.steady_by[TW_STEADY_HIGH],
         (long long)st.steady_by[TW_STEADY_DRIFT]);
  CHECK_EQ_INT(st.drawn, drawn);
  CHECK_EQ_INT(st.out_of_range, range);
  CHECK_EQ_INT(st.no_steady, steady);
  CHECK_EQ_INT(st.invalid, range + steady);
  CHECK_NEAR(tw_gan_invalid_rate(&st), (double)(range + steady) / (double)drawn, 1e-15);
  CHECK(st.rounds >= 2);
  /* the valid rows, in candidate order, as decoded */
  tw_gan_table truth;
  CHECK_OK(tw_gan_table_alloc(&tr.schema, SRC, &truth));
  tw_gan_decode(&tr, encoded, SRC, &truth, 0);
  for (int64_t c = 0, k = 0; k < WANT; ++c) {
    if (kind_of(c % SRC)) continue;
    for (int j = 0; j < schema.n_cols; ++j)
      CHECK(tw_gan_col(&rows, j)[k] == tw_gan_col(&truth, j)[c % SRC]);
    ++k;
  }
  tw_gan_sample_info info = {.model = "replay", .condition = NULL, .seed = 5, .stats = &st};
  CHECK_OK(tw_gan_cohort_write(out_path, &tr, &rows, &info));
  tw_gan_schema back_schema;
  tw_gan_table back;
  CHECK_OK(tw_gan_schema_read(out_path, &back_schema));
  CHECK_OK(tw_gan_transformer_check_schema(&tr, &back_schema, out_path));
  CHECK_OK(tw_gan_table_read(out_path, "sampled cohort", &back_schema, &back));
  CHECK_EQ_INT(back.n_rows, WANT);
  CHECK(!memcmp(back.data, rows.data, (size_t)WANT * (size_t)schema.n_cols * sizeof *back.data));
  tw_h5_file *f;
  char *pack = NULL, **ids = NULL;
  int64_t n_ids = 0, attr = 0;
  CHECK_OK(tw_h5_open(out_path, NULL, &f));
  CHECK_OK(tw_h5_attr_read_string(f, "pack", &pack));
  CHECK_OK(tw_h5_attr_read_i64(f, "gan_rows_drawn", &attr));
  CHECK_OK(tw_h5_read_strings(f, "/cohort/id", &ids, &n_ids));
  CHECK_OK(tw_h5_close(f));
  CHECK_EQ_STR(pack, "t1d");
  CHECK_EQ_INT(attr, drawn);
  CHECK(n_ids == WANT && !strcmp(ids[0], "twin-000000") && !strcmp(ids[WANT - 1], "twin-000299"));
  for (int64_t k = 0; k < n_ids; ++k) free(ids[k]);
  free(ids), free(pack);
  tw_gan_table_free(&back), tw_gan_schema_free(&back_schema);
  tw_gan_table_free(&truth), tw_gan_table_free(&rows);
  tw_gan_cond_free(&s);
  tw_gan_validity_free(&v);
}

/* tw_gan_invalid_share on the source rows themselves: the share of kinds 1
** and 2; NaN for a cohort without a pack; a pack the schema lacks refused. */
static void test_share(void) {
  tw_gan_validity v;
  double share = 0.0;
  CHECK_OK(tw_gan_validity_for(&schema, "t1d", NULL, 0, &v));
  CHECK_OK(tw_gan_invalid_share(&v, &source, &share));
  int64_t bad = 0;
  for (int64_t i = 0; i < SRC; ++i) bad += kind_of(i) != 0;
  printf("invalid share of the %d source rows: %.4f (%lld made invalid)\n", SRC, share, (long long)bad);
  CHECK_NEAR(share, (double)bad / SRC, 1e-15);
  tw_gan_validity_free(&v);
  CHECK_OK(tw_gan_validity_for(&schema, NULL, NULL, 0, &v));
  CHECK_OK(tw_gan_invalid_share(&v, &source, &share));
  CHECK(isnan(share));
  CHECK_STATUS(tw_gan_validity_for(&schema, "pbpk", NULL, 0, &v), TW_ERR_INPUT);
  tw_error_clear();
}

static void test_give_up(void) {
  tw_gan_validity v;
  CHECK_OK(tw_gan_validity_init(&tr, NULL, 0, &v));
  float cond[64] = {0};
  CHECK(tr.layout.cond_width <= 64);
  CHECK_OK(tw_gan_cond_fixed(&tr, "sex=1", cond, NULL, NULL));
  tw_gan_sample_request req = {.n = 50, .cond = cond, .seed = 5, .max_rounds = 3};
  tw_gan_table rows;
  tw_gan_validity_stats st;
  CHECK_STATUS(tw_gan_sample_valid(&tr, NULL, &v, replay, &v, &req, &rows, &st), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "after 3 rounds, 0 of 50 rows valid (150 drawn, invalid rate 1.0000"));
  tw_error_clear();
  req.n = 0;
  CHECK_STATUS(tw_gan_sample_valid(&tr, NULL, &v, replay, NULL, &req, &rows, &st), TW_ERR_INPUT);
  tw_error_clear();
  tw_gan_validity_free(&v);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s T1D_COHORT.h5 OUT.h5\n", argv[0]);
    return 2;
  }
  cohort_path = argv[1], out_path = argv[2];
  if (setup() != TW_OK) {
    fprintf(stderr, "setup: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_redraws);
  TW_TEST_RUN(test_give_up);
  TW_TEST_RUN(test_share);
  free(encoded);
  tw_gan_transformer_free(&tr);
  tw_gan_table_free(&source);
  tw_gan_schema_free(&schema);
  return TW_TEST_RESULT();
}
