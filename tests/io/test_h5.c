/*
** test_h5.c: the HDF5 helpers in one process: round trips of every dtype,
** strings and attributes, the units rule, the chunk layout, conversion on read,
** the error messages (which must name file and dataset), and the .partial rule.
**
** Files go to the build directory; each case uses its own file name.
*/
#include <hdf5.h>   /* H5Pget_chunk etc., to inspect the layout independently */
#include <stdio.h>  /* fopen, remove, snprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strstr, strcmp */

#include "build_info.h" /* TW_HAVE_MPI */
#include "io/h5.h"
#include "tw_test.h"

static const char *file_path(const char *name) {
  static char buf[4][512];
  static int next = 0;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/test_h5_%s.h5", TW_BINARY_DIR, name);
  return p;
}

static int file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

static int partial_exists(const char *path) {
  char p[600];
  snprintf(p, sizeof p, "%s.partial", path);
  return file_exists(p);
}

#define CHECK_MESSAGE(needle) \
  CHECK_MSG(strstr(tw_error_message(), (needle)) != NULL, "message \"%s\" lacks \"%s\"", tw_error_message(), (needle))

static const tw_device host = {TW_DEVICE_HOST, 0};

static void test_round_trip_every_dtype(void) {
  const char *path = file_path("dtypes");
  float f32[6] = {1.5f, -2.25f, 3e-8f, 1e30f, 0.0f, -0.0f};
  double f64[6] = {1.0 / 3.0, -1e300, 5e-324, 2.0, 3.0, 4.0};
  int32_t i32[6] = {INT32_MIN, -1, 0, 1, 7, INT32_MAX};
  int64_t i64[6] = {INT64_MIN, -1, 0, (int64_t)1 << 53, 9, INT64_MAX};
  uint8_t u8[6] = {0, 1, 127, 128, 254, 255};
  void *data[] = {f32, f64, i32, i64, u8};
  const tw_dtype types[] = {TW_F32, TW_F64, TW_I32, TW_I64, TW_U8};
  const char *names[] = {"/f32", "/group/f64", "/group/deeper/i32", "/i64", "/u8"};
  const int64_t dims[2] = {3, 2};
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  for (int k = 0; k < 5; ++k) {
    tw_tensor t;
    CHECK_OK(tw_tensor_view(&t, data[k], types[k], host, 2, dims));
    CHECK_OK(tw_h5_write(f, names[k], &t, k == 1 ? "mg/dL" : "1"));
  }
  tw_tensor scalar;
  double pi = 3.14159;
  CHECK_OK(tw_tensor_view(&scalar, &pi, TW_F64, host, 0, NULL));
  CHECK_OK(tw_h5_write(f, "/scalar", &scalar, "min"));
  tw_tensor empty;
  const int64_t none[2] = {0, 4};
  CHECK_OK(tw_tensor_view(&empty, NULL, TW_F32, host, 2, none));
  CHECK_OK(tw_h5_write(f, "/empty", &empty, "U"));
  CHECK_OK(tw_h5_close(f));

  CHECK_OK(tw_h5_open(path, NULL, &f));
  for (int k = 0; k < 5; ++k) {
    tw_tensor t;
    CHECK_OK(tw_h5_read(f, names[k], types[k], &t));
    CHECK_EQ_INT(t.rank, 2);
    CHECK_EQ_INT(t.dims[0], 3);
    CHECK_EQ_INT(t.dims[1], 2);
    CHECK_MSG(memcmp(t.data, data[k], 6 * tw_dtype_size(types[k])) == 0, "%s differs after the round trip", names[k]);
    free(t.data);
  }
  tw_tensor t;
  CHECK_OK(tw_h5_read(f, "/scalar", TW_F64, &t));
  CHECK_EQ_INT(t.rank, 0);
  CHECK(*(double *)t.data == pi);
  free(t.data);
  CHECK_OK(tw_h5_read(f, "/empty", TW_F32, &t));
  CHECK_EQ_INT(t.rank, 2);
  CHECK_EQ_INT(t.dims[0], 0);
  CHECK_EQ_INT(t.dims[1], 4);
  free(t.data);
  char units[32];
  CHECK_OK(tw_h5_units(f, "/group/f64", units, sizeof units));
  CHECK_EQ_STR(units, "mg/dL");
  CHECK_OK(tw_h5_units(f, "/scalar", units, sizeof units));
  CHECK_EQ_STR(units, "min");
  CHECK_STATUS(tw_h5_units(f, "/scalar", units, 2), TW_ERR_INTERNAL);
  CHECK(tw_h5_exists(f, "/group/deeper/i32"));
  CHECK(tw_h5_exists(f, "/group/deeper"));
  CHECK(!tw_h5_exists(f, "/group/nope/i32"));
  CHECK(!tw_h5_exists(f, "/nope"));
  CHECK_OK(tw_h5_close(f));
}

static void test_conversion_on_read(void) {
  const char *path = file_path("convert");
  int64_t ints[4] = {-3, 0, 5, (int64_t)1 << 40};
  double fractional[3] = {1.0, 2.5, 3.0};
  double huge[2] = {1.0, 1e300};
  tw_h5_file *f;
  tw_tensor t;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_tensor_view(&t, ints, TW_I64, host, 1, (int64_t[]){4}));
  CHECK_OK(tw_h5_write(f, "/ints", &t, "1"));
  CHECK_OK(tw_tensor_view(&t, fractional, TW_F64, host, 1, (int64_t[]){3}));
  CHECK_OK(tw_h5_write(f, "/fractional", &t, "1"));
  CHECK_OK(tw_tensor_view(&t, huge, TW_F64, host, 1, (int64_t[]){2}));
  CHECK_OK(tw_h5_write(f, "/huge", &t, "1"));
  CHECK_OK(tw_h5_close(f));

  CHECK_OK(tw_h5_open(path, NULL, &f));
  CHECK_OK(tw_h5_read(f, "/ints", TW_F64, &t));
  double *d = t.data;
  CHECK(d[0] == -3.0 && d[1] == 0.0 && d[2] == 5.0 && d[3] == 1099511627776.0);
  free(t.data);
  CHECK_OK(tw_h5_read(f, "/ints", TW_F32, &t));
  CHECK(((float *)t.data)[3] == 1099511627776.0f);
  free(t.data);
  /* Values that the requested type cannot hold are errors, not clipped numbers. */
  CHECK_STATUS(tw_h5_read(f, "/ints", TW_U8, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("'/ints' holds values that do not fit uint8");
  CHECK(t.data == NULL);
  CHECK_STATUS(tw_h5_read(f, "/fractional", TW_I32, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("do not fit int32");
  CHECK_STATUS(tw_h5_read(f, "/huge", TW_F32, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("do not fit float32");
  CHECK_OK(tw_h5_read(f, "/fractional", TW_F32, &t));
  CHECK(((float *)t.data)[1] == 2.5f);
  free(t.data);
  CHECK_OK(tw_h5_close(f));
}

static void test_strings(void) {
  const char *path = file_path("strings");
  const char *names[] = {"adolescent#001", "", "Ünïcødé glucose µg/L", "a much longer name with spaces"};
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_write_strings(f, "/cohort/names", names, 4, "1"));
  CHECK_OK(tw_h5_write_strings(f, "/cohort/none", NULL, 0, "1"));
  CHECK_STATUS(tw_h5_write_strings(f, "/cohort/names", names, 4, "1"), TW_ERR_INPUT);
  CHECK_MESSAGE("dataset '/cohort/names' already exists");
  CHECK_OK(tw_h5_close(f));

  CHECK_OK(tw_h5_open(path, NULL, &f));
  char **got;
  int64_t n;
  CHECK_OK(tw_h5_read_strings(f, "/cohort/names", &got, &n));
  CHECK_EQ_INT(n, 4);
  for (int i = 0; i < 4; ++i) CHECK_EQ_STR(got[i], names[i]);
  for (int i = 0; i < 4; ++i) free(got[i]);
  free(got);
  CHECK_OK(tw_h5_read_strings(f, "/cohort/none", &got, &n));
  CHECK_EQ_INT(n, 0);
  free(got);
  char units[8];
  CHECK_OK(tw_h5_units(f, "/cohort/names", units, sizeof units));
  CHECK_EQ_STR(units, "1");
  /* Strings are not numbers, and numbers are not strings. */
  tw_tensor t;
  CHECK_STATUS(tw_h5_read(f, "/cohort/names", TW_F64, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("'/cohort/names' does not hold numbers");
  CHECK_STATUS(tw_h5_read_strings(f, "/cohort", &got, &n), TW_ERR_INPUT);
  CHECK_MESSAGE("'/cohort' is not a dataset");
  CHECK_OK(tw_h5_close(f));
}

static void test_attributes_and_run_info(void) {
  const char *path = file_path("attrs");
  const char *config = "name: quickstart\nseed: 42\ncohort:\n  size: 1000\n";
  tw_h5_run_info info = {config, 42, 1, NULL};
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, NULL, &info, &f));
  CHECK_OK(tw_h5_attr_write_i64(f, "N", 10));
  CHECK_OK(tw_h5_attr_write_i64(f, "N", 12)); /* replaces */
  CHECK_OK(tw_h5_attr_write_f64(f, "loss", 0.125));
  CHECK_OK(tw_h5_attr_write_string(f, "note", "trained on 30 patients"));
  CHECK_OK(tw_h5_close(f));

  CHECK_OK(tw_h5_open(path, NULL, &f));
  int64_t i;
  double d;
  char *s;
  CHECK_OK(tw_h5_attr_read_i64(f, "N", &i));
  CHECK_EQ_INT(i, 12);
  CHECK_OK(tw_h5_attr_read_f64(f, "N", &d)); /* converted */
  CHECK(d == 12.0);
  CHECK_OK(tw_h5_attr_read_f64(f, "loss", &d));
  CHECK(d == 0.125);
  CHECK_OK(tw_h5_attr_read_string(f, "note", &s));
  CHECK_EQ_STR(s, "trained on 30 patients");
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "config", &s));
  CHECK_EQ_STR(s, config);
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "twinscale_version", &s));
  CHECK(strlen(s) > 0 && strchr(s, '.') != NULL);
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "git_commit", &s));
  CHECK(strlen(s) > 0);
  free(s);
  CHECK_OK(tw_h5_attr_read_i64(f, "seed", &i));
  CHECK_EQ_INT(i, 42);
  CHECK_OK(tw_h5_attr_read_i64(f, "rank_count", &i));
  CHECK_EQ_INT(i, 1);
  CHECK_STATUS(tw_h5_attr_read_i64(f, "H", &i), TW_ERR_INPUT);
  CHECK_MESSAGE("attribute 'H' not found on '/'");
  CHECK_STATUS(tw_h5_attr_read_i64(f, "note", &i), TW_ERR_INPUT);
  CHECK_MESSAGE("attribute 'note' is not a single number");
  CHECK_STATUS(tw_h5_attr_read_string(f, "N", &s), TW_ERR_INPUT);
  CHECK_OK(tw_h5_close(f));

  /* A model file (no run info) still records what wrote it. */
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_h5_open(path, NULL, &f));
  CHECK_OK(tw_h5_attr_read_string(f, "git_commit", &s));
  free(s);
  CHECK(!tw_h5_exists(f, "/nope"));
  CHECK_STATUS(tw_h5_attr_read_string(f, "config", &s), TW_ERR_INPUT);
  CHECK_OK(tw_h5_close(f));
}

static void test_distributed_rows_and_layout(void) {
  /* Rows written in pieces, as ranks would, and the chunking of the twin axis. */
  const char *path = file_path("rows");
  enum { ROWS = 300000, COLS = 4 };
  static float data[ROWS][COLS];
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS; ++c) data[r][c] = (float)r + 0.25f * (float)c;
  tw_h5_file *f;
  tw_h5_dataset *ds;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_dataset_create(f, "/endpoints/glucose", TW_F32, 2, (int64_t[]){ROWS, COLS}, "mg/dL", &ds));
  CHECK_OK(tw_h5_dataset_write_rows(ds, 100000, 200000, data[100000]));
  CHECK_OK(tw_h5_dataset_write_rows(ds, 0, 0, NULL));
  CHECK_OK(tw_h5_dataset_write_rows(ds, 0, 100000, data[0]));
  CHECK_STATUS(tw_h5_dataset_write_rows(ds, 299999, 2, data[0]), TW_ERR_INTERNAL);
  CHECK_MESSAGE("rows [299999, 300001) outside its 300000 rows");
  CHECK_STATUS(tw_h5_dataset_write_rows(ds, 0, 1, NULL), TW_ERR_INTERNAL);
  CHECK_OK(tw_h5_dataset_close(ds));
  CHECK_STATUS(tw_h5_dataset_create(f, "/endpoints/glucose", TW_F32, 1, (int64_t[]){3}, "1", &ds), TW_ERR_INPUT);
  CHECK_STATUS(tw_h5_dataset_create(f, "/bad", TW_F32, 1, (int64_t[]){-1}, "1", &ds), TW_ERR_INTERNAL);
  CHECK_STATUS(tw_h5_dataset_create(f, "/bad", TW_F32, 7, (int64_t[]){1, 1, 1, 1, 1, 1, 1}, "1", &ds),
               TW_ERR_INTERNAL);
  CHECK_STATUS(tw_h5_dataset_create(f, "/bad", TW_F32, 1, (int64_t[]){3}, "", &ds), TW_ERR_INTERNAL);
  CHECK_MESSAGE("units must be given");
  CHECK_STATUS(tw_h5_dataset_create(f, "/bad", TW_F32, 1, (int64_t[]){3}, NULL, &ds), TW_ERR_INTERNAL);
  CHECK(!tw_h5_exists(f, "/bad"));
  CHECK_OK(tw_h5_close(f));

  CHECK_OK(tw_h5_open(path, NULL, &f));
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK];
  CHECK_OK(tw_h5_shape(f, "/endpoints/glucose", &rank, dims));
  CHECK_EQ_INT(rank, 2);
  CHECK_EQ_INT(dims[0], ROWS);
  CHECK_EQ_INT(dims[1], COLS);
  tw_tensor t;
  CHECK_OK(tw_h5_read(f, "/endpoints/glucose", TW_F32, &t));
  CHECK(memcmp(t.data, data, sizeof data) == 0);
  free(t.data);
  /* One rank's rows, converted on the way. */
  CHECK_OK(tw_h5_read_rows(f, "/endpoints/glucose", TW_F64, 123456, 1000, &t));
  CHECK_EQ_INT(t.rank, 2);
  CHECK_EQ_INT(t.dims[0], 1000);
  CHECK_EQ_INT(t.dims[1], COLS);
  const double *rows = t.data;
  int bad = 0;
  for (int r = 0; r < 1000; ++r)
    for (int c = 0; c < COLS; ++c) bad += rows[r * COLS + c] != (double)data[123456 + r][c];
  free(t.data);
  CHECK_EQ_INT(bad, 0);
  CHECK_OK(tw_h5_read_rows(f, "/endpoints/glucose", TW_F32, ROWS, 0, &t));
  CHECK_EQ_INT(t.dims[0], 0);
  free(t.data);
  CHECK_STATUS(tw_h5_read_rows(f, "/endpoints/glucose", TW_F32, 299000, 1001, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("dataset '/endpoints/glucose' has 300000 rows; rows [299000, 300001) were asked for");
  CHECK(t.data == NULL);
  CHECK_OK(tw_h5_close(f));

  /* 16-byte rows: 65536 rows make 1 MiB, a multiple of the 1024-twin chunk. */
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t dset = H5Dopen2(file, "/endpoints/glucose", H5P_DEFAULT);
  hid_t dcpl = H5Dget_create_plist(dset);
  hsize_t chunk[2] = {0, 0};
  CHECK_EQ_INT(H5Pget_layout(dcpl), H5D_CHUNKED);
  CHECK_EQ_INT(H5Pget_chunk(dcpl, 2, chunk), 2);
  CHECK_EQ_INT(chunk[0], 65536);
  CHECK_EQ_INT(chunk[1], COLS);
  H5Pclose(dcpl);
  H5Dclose(dset);
  H5Fclose(file);
}

static void test_missing_and_bad_files(void) {
  const char *path = file_path("missing");
  char expected[700];
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_h5_open(path, NULL, &f));
  tw_tensor t;
  CHECK_STATUS(tw_h5_read(f, "/x", TW_F64, &t), TW_ERR_INPUT);
  snprintf(expected, sizeof expected, "%s: dataset '/x' not found", path);
  CHECK_EQ_STR(tw_error_message(), expected);
  CHECK_STATUS(tw_h5_read(f, "/deep/er/x", TW_F64, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("dataset '/deep/er/x' not found");
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK];
  CHECK_STATUS(tw_h5_shape(f, "/x", &rank, dims), TW_ERR_INPUT);
  char units[8];
  CHECK_STATUS(tw_h5_units(f, "/x", units, sizeof units), TW_ERR_INPUT);
  /* A read-only file refuses writes. */
  tw_h5_dataset *ds;
  CHECK_STATUS(tw_h5_dataset_create(f, "/y", TW_F64, 1, (int64_t[]){1}, "1", &ds), TW_ERR_INTERNAL);
  CHECK_OK(tw_h5_close(f));

  CHECK_STATUS(tw_h5_open(file_path("does_not_exist"), NULL, &f), TW_ERR_INPUT);
  CHECK_MESSAGE("does_not_exist.h5: cannot open: No such file or directory");
  CHECK(f == NULL);
  const char *text = file_path("not_hdf5");
  FILE *fp = fopen(text, "wb");
  CHECK(fp);
  fputs("name: not hdf5\n", fp);
  fclose(fp);
  CHECK_STATUS(tw_h5_open(text, NULL, &f), TW_ERR_INPUT);
  CHECK_MESSAGE("not_hdf5.h5: not an HDF5 file");
  CHECK_STATUS(tw_h5_open(TW_BINARY_DIR, NULL, &f), TW_ERR_INPUT);
  /* A file that cannot be created names itself. */
  CHECK_STATUS(tw_h5_create(TW_BINARY_DIR "/no/such/dir/out.h5", NULL, NULL, &f), TW_ERR_LIBRARY);
  CHECK_MESSAGE("/no/such/dir/out.h5");
  CHECK(f == NULL);
}

static void test_partial_file_rule(void) {
  const char *path = file_path("partial");
  remove(path);
  double v[3] = {1, 2, 3};
  tw_tensor t;
  CHECK_OK(tw_tensor_view(&t, v, TW_F64, host, 1, (int64_t[]){3}));
  tw_h5_file *f;
  /* While being written (or if the writer dies now) the file is not at its final path. */
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_write(f, "/v", &t, "1"));
  CHECK(!file_exists(path));
  CHECK(partial_exists(path));
  /* Abort leaves nothing. */
  tw_h5_abort(f);
  CHECK(!file_exists(path));
  CHECK(!partial_exists(path));
  /* A dataset left open makes close fail, and the failed file is removed
  ** (with the dataset handle: no leak under the sanitizers). */
  tw_h5_dataset *ds;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_dataset_create(f, "/open", TW_F64, 1, (int64_t[]){3}, "1", &ds));
  CHECK_STATUS(tw_h5_close(f), TW_ERR_INTERNAL);
  CHECK_MESSAGE(path);
  CHECK_MESSAGE("dataset '/open' is still open at close");
  CHECK(!file_exists(path));
  CHECK(!partial_exists(path));
  /* Close puts it in place, replacing an older file. */
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_write(f, "/v", &t, "1"));
  CHECK_OK(tw_h5_close(f));
  CHECK(file_exists(path));
  CHECK(!partial_exists(path));
  tw_h5_abort(NULL);
  CHECK_OK(tw_h5_close(NULL));
}

static void test_reads_h5py_files(void) {
  /* Written by h5py (scripts/make-io-fixture.py), not by twinscale. */
  tw_h5_file *f;
  CHECK_OK(tw_h5_open(TW_TEST_DATA_DIR "/io/h5py_written.h5", NULL, &f));
  int64_t n;
  double lr;
  char *s;
  CHECK_OK(tw_h5_attr_read_i64(f, "N", &n));
  CHECK_EQ_INT(n, 10);
  CHECK_OK(tw_h5_attr_read_f64(f, "lr", &lr));
  CHECK(lr == 0.001);
  CHECK_OK(tw_h5_attr_read_string(f, "kind", &s)); /* fixed-length */
  CHECK_EQ_STR(s, "grt");
  free(s);
  CHECK_OK(tw_h5_attr_read_string(f, "note", &s)); /* variable-length UTF-8 */
  CHECK_EQ_STR(s, "trained with PyTorch 1.13, µ");
  free(s);
  tw_tensor t;
  CHECK_OK(tw_h5_read(f, "/gnn.0.lin_self.weight", TW_F32, &t)); /* a PyTorch state_dict name */
  CHECK(t.rank == 2 && t.dims[0] == 4 && t.dims[1] == 3);
  for (int i = 0; i < 12; ++i) CHECK(((float *)t.data)[i] == (float)i / 4);
  free(t.data);
  CHECK_OK(tw_h5_read(f, "/big_endian", TW_F64, &t));
  CHECK(((double *)t.data)[0] == 1.5 && ((double *)t.data)[1] == -2.0 && ((double *)t.data)[2] == 1e300);
  free(t.data);
  CHECK_OK(tw_h5_read(f, "/int16", TW_I64, &t));
  CHECK(((int64_t *)t.data)[0] == -32768 && ((int64_t *)t.data)[2] == 32767);
  free(t.data);
  char **names;
  CHECK_OK(tw_h5_read_strings(f, "/names_fixed", &names, &n));
  CHECK_EQ_INT(n, 3);
  CHECK_EQ_STR(names[0], "a");
  CHECK_EQ_STR(names[2], "efghijkl"); /* fills all 8 bytes, no terminator in the file */
  for (int i = 0; i < n; ++i) free(names[i]);
  free(names);
  CHECK_OK(tw_h5_read_strings(f, "/names_vl", &names, &n));
  CHECK_EQ_INT(n, 2);
  CHECK_EQ_STR(names[1], "Ünï");
  for (int i = 0; i < n; ++i) free(names[i]);
  free(names);
  /* No units in a foreign file: a clear error, not a crash. */
  char units[8];
  CHECK_STATUS(tw_h5_units(f, "/int16", units, sizeof units), TW_ERR_INPUT);
  CHECK_MESSAGE("attribute 'units' not found on '/int16'");
  CHECK_STATUS(tw_h5_read(f, "/empty_group", TW_F32, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("'/empty_group' is not a dataset");
  CHECK_OK(tw_h5_close(f));
}

static void test_shared_file_needs_mpi(void) {
  /* A file shared by several ranks is refused, plainly, where the build cannot do it. */
  tw_dist two = {0, 2, 0, 2, 0, NULL};
  tw_h5_file *f;
  if (TW_HAVE_MPI) return; /* test_h5_collective.c covers the capable build */
  CHECK_STATUS(tw_h5_create(file_path("shared"), &two, NULL, &f), TW_ERR_UNSUPPORTED);
  CHECK_MESSAGE("a file shared by 2 ranks needs parallel HDF5 and MPI");
  CHECK(f == NULL);
  CHECK(!partial_exists(file_path("shared")));
}

int main(void) {
  TW_TEST_RUN(test_round_trip_every_dtype);
  TW_TEST_RUN(test_conversion_on_read);
  TW_TEST_RUN(test_strings);
  TW_TEST_RUN(test_attributes_and_run_info);
  TW_TEST_RUN(test_distributed_rows_and_layout);
  TW_TEST_RUN(test_missing_and_bad_files);
  TW_TEST_RUN(test_partial_file_rule);
  TW_TEST_RUN(test_reads_h5py_files);
  TW_TEST_RUN(test_shared_file_needs_mpi);
  return TW_TEST_RESULT();
}
