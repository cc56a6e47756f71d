/*
** test_h5_collective.c: a results file written collectively by 2 and 4 ranks
** through parallel HDF5, as a distributed run writes it: each rank its own rows
** of per-twin datasets (some ranks owning none), replicated small datasets,
** strings, root attributes. Then the file is read back, collectively and by
** each rank alone, and every row is checked against the value its twin id
** implies; and an aborted collective file leaves nothing behind.
*/
#include <mpi.h>    /* MPI_Allreduce for the final verdict */
#include <stdio.h>  /* fopen, snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strcmp */

#include "io/h5.h"
#include "mpi/dist.h"
#include "mpi/dist_comm.h" /* tw_dist_comm */
#include "tw_test.h"

enum { N_TWINS = 10007, WIDTH = 3 };

static tw_dist dist;
static char path[512], aborted_path[512];
static const char *arm_names[] = {"placebo", "dose 5 mg", "dose 10 mg — µ"};
static const char *config_text = "trial:\n  arms: 3\ncohort:\n  size: 10007\n";

static double value_of(int64_t id, int col) { return (double)id * 10.0 + col + 0.5; }

static int file_exists(const char *p) {
  FILE *f = fopen(p, "rb");
  if (f) fclose(f);
  return f != NULL;
}

static void test_write_collectively(void) {
  tw_h5_run_info info = {config_text, 20261128, dist.size, NULL};
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, &dist, &info, &f));
  /* Per-twin rows: this rank's contiguous id range. */
  tw_partition p = tw_partition_make(N_TWINS, TW_DEFAULT_CHUNK, dist.rank, dist.size);
  int64_t rows = p.id_end - p.id_begin;
  double *values = malloc((size_t)(rows > 0 ? rows : 1) * WIDTH * sizeof *values);
  int64_t *ids = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *ids);
  CHECK(values && ids);
  for (int64_t i = 0; i < rows; ++i) {
    ids[i] = p.id_begin + i;
    for (int c = 0; c < WIDTH; ++c) values[i * WIDTH + c] = value_of(p.id_begin + i, c);
  }
  tw_h5_dataset *ds;
  CHECK_OK(tw_h5_dataset_create(f, "/twins/endpoints", TW_F64, 2, (int64_t[]){N_TWINS, WIDTH}, "mg/dL", &ds));
  CHECK_OK(tw_h5_dataset_write_rows(ds, p.id_begin, rows, values));
  CHECK_OK(tw_h5_dataset_close(ds));
  CHECK_OK(tw_h5_dataset_create(f, "/twins/id", TW_I64, 1, (int64_t[]){N_TWINS}, "1", &ds));
  CHECK_OK(tw_h5_dataset_write_rows(ds, p.id_begin, rows, ids));
  CHECK_OK(tw_h5_dataset_close(ds));
  /* Two twins in chunks of one: on 4 ranks, ranks 2 and 3 write no rows. */
  tw_partition tiny = tw_partition_make(2, 1, dist.rank, dist.size);
  int64_t tiny_id = tiny.id_begin;
  CHECK_OK(tw_h5_dataset_create(f, "/tiny", TW_I64, 1, (int64_t[]){2}, "1", &ds));
  CHECK_OK(tw_h5_dataset_write_rows(ds, tiny.id_begin, tiny.id_end - tiny.id_begin,
                                    tiny.id_end > tiny.id_begin ? &tiny_id : NULL));
  CHECK_OK(tw_h5_dataset_close(ds));
  /* Replicated data (every rank passes the same) and strings. */
  float doses[3] = {0.0f, 5.0f, 10.0f};
  tw_tensor t;
  CHECK_OK(tw_tensor_view(&t, doses, TW_F32, (tw_device){TW_DEVICE_HOST, 0}, 1, (int64_t[]){3}));
  CHECK_OK(tw_h5_write(f, "/arms/dose", &t, "mg"));
  CHECK_OK(tw_h5_write_strings(f, "/arms/name", arm_names, 3, "1"));
  CHECK_OK(tw_h5_attr_write_f64(f, "loss", 0.5));
  CHECK_OK(tw_h5_attr_write_string(f, "note", "collective"));
  free(values);
  free(ids);
  /* Not yet closed: nothing at the final path. */
  CHECK_OK(tw_dist_barrier(&dist));
  CHECK(!file_exists(path));
  CHECK_OK(tw_h5_close(f));
  CHECK(file_exists(path));
  char partial[600];
  snprintf(partial, sizeof partial, "%s.partial", path);
  CHECK(!file_exists(partial));
}

/* Every row of every dataset, as the twin ids imply; dist NULL reads alone. */
static void check_file(const tw_dist *d) {
  tw_h5_file *f;
  CHECK_OK(tw_h5_open(path, d, &f));
  tw_tensor t;
  CHECK_OK(tw_h5_read(f, "/twins/endpoints", TW_F64, &t));
  CHECK_EQ_INT(t.rank, 2);
  CHECK_EQ_INT(t.dims[0], N_TWINS);
  CHECK_EQ_INT(t.dims[1], WIDTH);
  const double *v = t.data;
  int64_t bad = 0;
  for (int64_t id = 0; id < N_TWINS; ++id)
    for (int c = 0; c < WIDTH; ++c) bad += v[id * WIDTH + c] != value_of(id, c);
  free(t.data);
  CHECK_EQ_INT(bad, 0);
  CHECK_OK(tw_h5_read(f, "/twins/id", TW_I64, &t));
  const int64_t *ids = t.data;
  for (int64_t id = 0; id < N_TWINS; ++id) bad += ids[id] != id;
  free(t.data);
  CHECK_EQ_INT(bad, 0);
  CHECK_OK(tw_h5_read(f, "/tiny", TW_I64, &t));
  CHECK(((int64_t *)t.data)[0] == 0 && ((int64_t *)t.data)[1] == 1);
  free(t.data);
  CHECK_OK(tw_h5_read(f, "/arms/dose", TW_F64, &t));
  CHECK(((double *)t.data)[2] == 10.0);
  free(t.data);
  char **names;
  int64_t n;
  CHECK_OK(tw_h5_read_strings(f, "/arms/name", &names, &n));
  CHECK_EQ_INT(n, 3);
  for (int i = 0; i < n; ++i) {
    CHECK_EQ_STR(names[i], arm_names[i]);
    free(names[i]);
  }
  free(names);
  char units[16];
  CHECK_OK(tw_h5_units(f, "/twins/endpoints", units, sizeof units));
  CHECK_EQ_STR(units, "mg/dL");
  CHECK_OK(tw_h5_units(f, "/arms/name", units, sizeof units));
  CHECK_EQ_STR(units, "1");
  /* Root attributes. */
  int64_t i64;
  double f64;
  char *s;
  CHECK_OK(tw_h5_attr_read_i64(f, "rank_count", &i64));
  CHECK_EQ_INT(i64, dist.size);
  CHECK_OK(tw_h5_attr_read_i64(f, "seed", &i64));
  CHECK_EQ_INT(i64, 20261128);
  CHECK_OK(tw_h5_attr_read_f64(f, "loss", &f64));
  CHECK(f64 == 0.5);
  CHECK_OK(tw_h5_attr_read_string(f, "config", &s));
  CHECK_EQ_STR(s, config_text);
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "note", &s));
  CHECK_EQ_STR(s, "collective");
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "twinscale_version", &s));
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "git_commit", &s));
  free(s);
  CHECK_OK(tw_h5_close(f));
}

static void test_read_collectively(void) { check_file(&dist); }

static void test_read_own_rows(void) {
  /* As a distributed run reads its cohort: each rank its own twins, collectively. */
  tw_partition p = tw_partition_make(N_TWINS, TW_DEFAULT_CHUNK, dist.rank, dist.size);
  tw_h5_file *f;
  CHECK_OK(tw_h5_open(path, &dist, &f));
  tw_tensor t;
  CHECK_OK(tw_h5_read_rows(f, "/twins/endpoints", TW_F64, p.id_begin, p.id_end - p.id_begin, &t));
  CHECK_EQ_INT(t.dims[0], p.id_end - p.id_begin);
  int64_t bad = 0;
  for (int64_t id = p.id_begin; id < p.id_end; ++id)
    for (int c = 0; c < WIDTH; ++c) bad += ((double *)t.data)[(id - p.id_begin) * WIDTH + c] != value_of(id, c);
  free(t.data);
  CHECK_EQ_INT(bad, 0);
  tw_partition tiny = tw_partition_make(2, 1, dist.rank, dist.size);
  CHECK_OK(tw_h5_read_rows(f, "/tiny", TW_I64, tiny.id_begin, tiny.id_end - tiny.id_begin, &t));
  if (tiny.id_end > tiny.id_begin) CHECK_EQ_INT(((int64_t *)t.data)[0], tiny.id_begin);
  free(t.data);
  CHECK_OK(tw_h5_close(f));
}

static void test_read_alone(void) { check_file(NULL); }

static void test_abort_collectively(void) {
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(aborted_path, &dist, NULL, &f));
  tw_h5_dataset *ds;
  CHECK_OK(tw_h5_dataset_create(f, "/x", TW_F64, 1, (int64_t[]){4}, "1", &ds));
  CHECK_OK(tw_h5_dataset_close(ds));
  CHECK_OK(tw_h5_write_strings(f, "/s", arm_names, 3, "1"));
  tw_h5_abort(f);
  CHECK_OK(tw_dist_barrier(&dist));
  char partial[600];
  snprintf(partial, sizeof partial, "%s.partial", aborted_path);
  CHECK(!file_exists(aborted_path));
  CHECK(!file_exists(partial));
}

int main(int argc, char **argv) {
  if (tw_dist_init(&argc, &argv, &dist) != TW_OK) {
    fprintf(stderr, "tw_dist_init: %s\n", tw_error_message());
    return 1;
  }
  /* One file per rank count, so the np2 and np4 runs can run side by side. */
  snprintf(path, sizeof path, "%s/test_h5_collective_np%d.h5", TW_BINARY_DIR, dist.size);
  snprintf(aborted_path, sizeof aborted_path, "%s/test_h5_collective_aborted_np%d.h5", TW_BINARY_DIR, dist.size);
  if (dist.rank == 0) remove(path); /* left by an earlier run */
  tw_dist_barrier(&dist);
  TW_TEST_RUN(test_write_collectively);
  TW_TEST_RUN(test_read_collectively);
  TW_TEST_RUN(test_read_own_rows);
  TW_TEST_RUN(test_read_alone);
  TW_TEST_RUN(test_abort_collectively);
  int failed = TW_TEST_RESULT(), any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, tw_dist_comm(&dist));
  tw_dist_finalize(&dist);
  return any;
}
