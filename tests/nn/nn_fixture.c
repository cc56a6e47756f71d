/*
** nn_fixture.c: the reader for nn_fixture.h.
*/
#include "nn_fixture.h"

#include <math.h>   /* sqrt */
#include <stdio.h>  /* FILE, fread, fprintf */
#include <stdlib.h> /* malloc, calloc, free */
#include <string.h> /* memcmp, strcmp */

static int read_exact(FILE *f, void *buf, size_t n) { return fread(buf, 1, n, f) == n ? 0 : -1; }

static int read_array(FILE *f, nn_array *a) {
  uint32_t name_len, code, rank;
  if (read_exact(f, &name_len, 4) || name_len >= sizeof a->name) return -1;
  if (read_exact(f, a->name, name_len)) return -1;
  a->name[name_len] = '\0';
  if (read_exact(f, &code, 4) || read_exact(f, &rank, 4) || rank > 6 || code > 2) return -1;
  a->rank = (int)rank;
  a->numel = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    if (read_exact(f, &a->dims[i], 8) || a->dims[i] < 0) return -1;
    a->numel *= a->dims[i];
  }
  a->data = malloc((size_t)(a->numel ? a->numel : 1) * sizeof(double));
  if (!a->data) return -1;
  for (int64_t i = 0; i < a->numel; ++i) {
    if (code == 0) {
      float v;
      if (read_exact(f, &v, 4)) return -1;
      a->data[i] = v;
    } else if (code == 1) {
      if (read_exact(f, &a->data[i], 8)) return -1;
    } else {
      int64_t v;
      if (read_exact(f, &v, 8)) return -1;
      a->data[i] = (double)v;
    }
  }
  return 0;
}

int nn_fixture_load(const char *file, nn_fixture *fx) {
  char path[1024];
  snprintf(path, sizeof path, "%s/nn/%s", TW_TEST_DATA_DIR, file);
  fx->count = 0;
  fx->arrays = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: cannot open (run validation/grt_make_fixtures.py)\n", path);
    return -1;
  }
  char magic[8];
  uint32_t count;
  int rc = -1;
  if (read_exact(f, magic, 8) || memcmp(magic, "TWNNFIX1", 8) || read_exact(f, &count, 4)) goto done;
  fx->arrays = calloc(count, sizeof *fx->arrays);
  if (!fx->arrays) goto done;
  for (uint32_t i = 0; i < count; ++i) {
    if (read_array(f, &fx->arrays[i])) goto done;
    fx->count = (int)i + 1;
  }
  rc = 0;
done:
  if (rc) fprintf(stderr, "%s: malformed fixture\n", path);
  fclose(f);
  return rc;
}

void nn_fixture_free(nn_fixture *fx) {
  for (int i = 0; i < fx->count; ++i) free(fx->arrays[i].data);
  free(fx->arrays);
  fx->arrays = NULL;
  fx->count = 0;
}

const nn_array *nn_fixture_get(const nn_fixture *fx, const char *name) {
  for (int i = 0; i < fx->count; ++i)
    if (!strcmp(fx->arrays[i].name, name)) return &fx->arrays[i];
  return NULL;
}

float *nn_fixture_floats(const nn_fixture *fx, const char *name) {
  const nn_array *a = nn_fixture_get(fx, name);
  if (!a) return NULL;
  float *out = malloc((size_t)(a->numel ? a->numel : 1) * sizeof(float));
  if (!out) return NULL;
  for (int64_t i = 0; i < a->numel; ++i) out[i] = (float)a->data[i];
  return out;
}

double nn_rel_error(const float *a, const double *ref, int64_t n) {
  double num = 0.0, den = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = (double)a[i] - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
  }
  return den > 0.0 ? sqrt(num / den) : sqrt(num);
}
