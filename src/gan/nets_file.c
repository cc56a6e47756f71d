/*
** nets_file.c: the GAN's networks and training state in HDF5 (nets_file.h).
** Device buffers go through a host copy; every read is shape- and
** finiteness-checked and names the file and dataset.
*/
#include "build_info.h" /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include "gan/nets_file.h"

#include <math.h>   /* isfinite */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcpy */

enum { SIZES_CAP = 6 + 2 * TW_GAN_MAX_LAYERS };

/* Host copy of `floats` device floats (free()). */
static tw_status to_host(tw_backend *be, const float *dev, int64_t floats, float **host) {
  *host = malloc((size_t)TW_MAX(floats, 1) * sizeof(float));
  if (!*host) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate %lld floats for a GAN file", (long long)floats);
  tw_status s = be->copy(be, *host, dev, (size_t)floats * sizeof(float), TW_COPY_DEVICE_TO_HOST);
  if (s != TW_OK) free(*host);
  return s;
}

/* Every tensor of a map, from device buffer dev, under group/<name>. */
static tw_status write_tensors(tw_h5_file *f, tw_backend *be, const char *group, const tw_gan_tensors *ts,
                               const float *dev) {
  float *host;
  TW_TRY(to_host(be, dev, ts->total, &host));
  tw_status s = TW_OK;
  for (int i = 0; i < ts->count && s == TW_OK; ++i) {
    char path[96];
    snprintf(path, sizeof path, "%s/%s", group, ts->t[i].name);
    s = tw_h5_write_array(f, path, TW_F32, host + ts->t[i].offset, ts->t[i].rank, ts->t[i].dims, "1");
  }
  free(host);
  return s;
}

static int sizes_pack(const tw_gan_sizes *sz, int64_t *v) {
  int k = 0;
  v[k++] = sz->embedding;
  v[k++] = sz->pac;
  v[k++] = sz->width;
  v[k++] = sz->cond_width;
  v[k++] = sz->n_gen;
  for (int i = 0; i < sz->n_gen; ++i) v[k++] = sz->gen[i];
  v[k++] = sz->n_dis;
  for (int i = 0; i < sz->n_dis; ++i) v[k++] = sz->dis[i];
  return k;
}

tw_status tw_gan_nets_write(tw_h5_file *f, const tw_gan_nets *n) {
  int64_t v[SIZES_CAP];
  const int64_t count = sizes_pack(&n->sz, v);
  TW_TRY(tw_h5_write_array(f, "/generator/sizes", TW_I64, v, 1, &count, "1"));
  TW_TRY(write_tensors(f, n->be, "/generator", &n->map.gen, n->g));
  TW_TRY(write_tensors(f, n->be, "/generator", &n->map.stats, n->stats));
  for (int k = 0; k < n->sz.n_gen; ++k) {
    char path[96];
    snprintf(path, sizeof path, "/generator/seq.%d.bn.num_batches_tracked", k);
    TW_TRY(tw_h5_write_array(f, path, TW_I64, &n->bn_batches, 0, NULL, "1"));
  }
  return write_tensors(f, n->be, "/critic", &n->map.dis, n->d);
}

/* ---- reading -------------------------------------------------------------- */

static tw_status sizes_unpack(const tw_h5_file *f, const int64_t *v, int64_t count, tw_gan_sizes *sz) {
  int k = 0, ok = count >= 7;
  if (ok) {
    sz->embedding = (int)v[k++];
    sz->pac = (int)v[k++];
    sz->width = (int)v[k++];
    sz->cond_width = (int)v[k++];
    sz->n_gen = (int)v[k++];
    ok = sz->n_gen >= 1 && sz->n_gen <= TW_GAN_MAX_LAYERS && count >= k + sz->n_gen + 2;
  }
  for (int i = 0; ok && i < sz->n_gen; ++i) sz->gen[i] = (int)v[k++];
  if (ok) {
    sz->n_dis = (int)v[k++];
    ok = sz->n_dis >= 1 && sz->n_dis <= TW_GAN_MAX_LAYERS && count == k + sz->n_dis;
  }
  for (int i = 0; ok && i < sz->n_dis; ++i) sz->dis[i] = (int)v[k++];
  if (!ok) return TW_FAIL(TW_ERR_INPUT, "%s: /generator/sizes is malformed", tw_h5_path(f));
  return TW_OK;
}

static tw_status read_sizes(tw_h5_file *f, tw_gan_sizes *sz) {
  if (!tw_h5_exists(f, "/generator/sizes"))
    return TW_FAIL(TW_ERR_INPUT, "%s: not a GAN model file (no /generator/sizes)", tw_h5_path(f));
  tw_tensor t;
  TW_TRY(tw_h5_read(f, "/generator/sizes", TW_I64, &t));
  const tw_status s = t.rank == 1 ? sizes_unpack(f, t.data, t.dims[0], sz)
                                  : TW_FAIL(TW_ERR_INPUT, "%s: /generator/sizes is not a vector", tw_h5_path(f));
  free(t.data);
  return s;
}

/* One tensor into host buffer `buf`, shape and values checked. */
static tw_status read_tensor(tw_h5_file *f, const char *group, const tw_gan_tensor *t, float *buf) {
  char path[96];
  snprintf(path, sizeof path, "%s/%s", group, t->name);
  int rank = 0;
  int64_t dims[TW_TENSOR_MAX_RANK];
  TW_TRY(tw_h5_shape(f, path, &rank, dims));
  if (rank != t->rank || dims[0] != t->dims[0] || (rank == 2 && dims[1] != t->dims[1]))
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' is not (%lld%s%lld) as the sizes say", tw_h5_path(f), path,
                   (long long)t->dims[0], t->rank == 2 ? "," : "", t->rank == 2 ? (long long)t->dims[1] : 0LL);
  tw_tensor data;
  TW_TRY(tw_h5_read(f, path, TW_F32, &data));
  memcpy(buf, data.data, (size_t)t->numel * sizeof(float));
  free(data.data);
  for (int64_t i = 0; i < t->numel; ++i)
    if (!isfinite(buf[i]))
      return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' holds a NaN or Inf at element %lld", tw_h5_path(f), path,
                     (long long)i);
  return TW_OK;
}

/* Every tensor of a map from the file into device buffer dev. */
static tw_status read_tensors(tw_h5_file *f, tw_backend *be, const char *group, const tw_gan_tensors *ts,
                              float *dev) {
  float *host = malloc((size_t)TW_MAX(ts->total, 1) * sizeof(float));
  if (!host) return TW_FAIL(TW_ERR_NOMEM, "%s: cannot allocate the GAN's parameters", tw_h5_path(f));
  tw_status s = TW_OK;
  for (int i = 0; i < ts->count && s == TW_OK; ++i) s = read_tensor(f, group, &ts->t[i], host + ts->t[i].offset);
  if (s == TW_OK) s = be->copy(be, dev, host, (size_t)ts->total * sizeof(float), TW_COPY_HOST_TO_DEVICE);
  free(host);
  return s;
}

static tw_status read_flat(tw_h5_file *f, tw_backend *be, const char *path, float *dev, int64_t n) {
  const tw_gan_tensor t = {.rank = 1, .dims = {n, 0}, .offset = 0, .numel = n};
  tw_gan_tensors one = {.count = 1, .total = n};
  one.t[0] = t;
  snprintf(one.t[0].name, sizeof one.t[0].name, "%s", strrchr(path, '/') + 1);
  char group[64];
  snprintf(group, sizeof group, "%.*s", (int)(strrchr(path, '/') - path), path);
  return read_tensors(f, be, group, &one, dev);
}

static tw_status read_i64(tw_h5_file *f, const char *path, int64_t *v) {
  tw_tensor t;
  TW_TRY(tw_h5_read(f, path, TW_I64, &t));
  *v = *(const int64_t *)t.data;
  free(t.data);
  return TW_OK;
}

static tw_status read_into(tw_h5_file *f, tw_gan_nets *n) {
  TW_TRY(read_tensors(f, n->be, "/generator", &n->map.gen, n->g));
  TW_TRY(read_tensors(f, n->be, "/generator", &n->map.stats, n->stats));
  if (tw_h5_exists(f, "/generator/seq.0.bn.num_batches_tracked"))
    TW_TRY(read_i64(f, "/generator/seq.0.bn.num_batches_tracked", &n->bn_batches));
  if (tw_h5_exists(f, "/critic")) TW_TRY(read_tensors(f, n->be, "/critic", &n->map.dis, n->d));
  return TW_OK;
}

tw_status tw_gan_nets_read(tw_backend *be, tw_h5_file *f, const tw_gan_layout *lay, tw_gan_nets **out) {
  tw_gan_sizes sz;
  TW_TRY(read_sizes(f, &sz));
  if (sz.width != lay->width || sz.cond_width != lay->cond_width)
    return TW_FAIL(TW_ERR_INPUT,
                   "%s: the generator was trained on rows %d wide with a cond vector of %d, this schema has %d and "
                   "%d (a model of another cohort schema)",
                   tw_h5_path(f), sz.width, sz.cond_width, lay->width, lay->cond_width);
  tw_gan_nets *n = NULL;
  TW_TRY(tw_gan_nets_create(be, lay, &sz, 0, &n));
  const tw_status s = read_into(f, n);
  if (s != TW_OK) {
    tw_gan_nets_destroy(n);
    return s;
  }
  *out = n;
  return TW_OK;
}

/* ---- training state -------------------------------------------------------- */

static tw_status write_flat(tw_h5_file *f, tw_backend *be, const char *path, const float *dev, int64_t n) {
  float *host;
  TW_TRY(to_host(be, dev, n, &host));
  const tw_status s = tw_h5_write_array(f, path, TW_F32, host, 1, &n, "1");
  free(host);
  return s;
}

static tw_status write_curves(tw_h5_file *f, const tw_gan_trainer *tr) {
  const int64_t n = tr->step;
  float *v = malloc((size_t)TW_MAX(n, 1) * sizeof(float));
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the GAN's loss curves");
  const char *names[4] = {"/train/loss/critic", "/train/loss/penalty", "/train/loss/generator", "/train/loss/cond"};
  tw_status s = TW_OK;
  for (int c = 0; c < 4 && s == TW_OK; ++c) {
    for (int64_t i = 0; i < n; ++i) {
      const tw_gan_losses *L = &tr->curve[i];
      v[i] = c == 0 ? L->critic : c == 1 ? L->penalty : c == 2 ? L->generator : L->cond;
    }
    s = tw_h5_write_array(f, names[c], TW_F32, v, 1, &n, "1");
  }
  free(v);
  return s;
}

tw_status tw_gan_trainer_write(tw_h5_file *f, const tw_gan_trainer *tr) {
  const tw_gan_nets *n = tr->nets;
  TW_TRY(tw_gan_nets_write(f, n));
  TW_TRY(tw_h5_write_array(f, "/train/step", TW_I64, &tr->step, 0, NULL, "1"));
  TW_TRY(tw_h5_write_array(f, "/train/critic_updates", TW_I64, &tr->critic_updates, 0, NULL, "1"));
  TW_TRY(write_flat(f, n->be, "/train/adam/generator_m", tr->g_m, n->map.gen.total));
  TW_TRY(write_flat(f, n->be, "/train/adam/generator_v", tr->g_v, n->map.gen.total));
  TW_TRY(write_flat(f, n->be, "/train/adam/critic_m", tr->d_m, n->map.dis.total));
  TW_TRY(write_flat(f, n->be, "/train/adam/critic_v", tr->d_v, n->map.dis.total));
  return write_curves(f, tr);
}

static tw_status read_curves(tw_h5_file *f, tw_gan_trainer *tr) {
  const char *names[4] = {"/train/loss/critic", "/train/loss/penalty", "/train/loss/generator", "/train/loss/cond"};
  for (int c = 0; c < 4; ++c) {
    tw_tensor t;
    TW_TRY(tw_h5_read(f, names[c], TW_F32, &t));
    const float *v = t.data;
    const int ok = t.rank == 1 && t.dims[0] == tr->step;
    for (int64_t i = 0; ok && i < tr->step; ++i) {
      tw_gan_losses *L = &tr->curve[i];
      *(c == 0 ? &L->critic : c == 1 ? &L->penalty : c == 2 ? &L->generator : &L->cond) = v[i];
    }
    free(t.data);
    if (!ok) return TW_FAIL(TW_ERR_INPUT, "%s: %s does not hold one value per step", tw_h5_path(f), names[c]);
  }
  return TW_OK;
}

tw_status tw_gan_trainer_read(tw_h5_file *f, tw_gan_trainer *tr) {
  tw_gan_nets *n = tr->nets;
  tw_gan_sizes sz;
  TW_TRY(read_sizes(f, &sz));
  int64_t a[SIZES_CAP], b[SIZES_CAP];
  const int na = sizes_pack(&sz, a), nb = sizes_pack(&n->sz, b);
  if (na != nb || memcmp(a, b, (size_t)na * sizeof(int64_t)))
    return TW_FAIL(TW_ERR_INPUT, "%s: the networks' sizes differ from this run's", tw_h5_path(f));
  int64_t step = 0, critic_updates = 0;
  TW_TRY(read_i64(f, "/train/step", &step));
  TW_TRY(read_i64(f, "/train/critic_updates", &critic_updates));
  if (step < 0 || step > tr->opts.steps)
    return TW_FAIL(TW_ERR_INPUT, "%s: the run was at step %lld, this one has %lld steps", tw_h5_path(f),
                   (long long)step, (long long)tr->opts.steps);
  TW_TRY(read_into(f, n));
  TW_TRY(read_flat(f, n->be, "/train/adam/generator_m", tr->g_m, n->map.gen.total));
  TW_TRY(read_flat(f, n->be, "/train/adam/generator_v", tr->g_v, n->map.gen.total));
  TW_TRY(read_flat(f, n->be, "/train/adam/critic_m", tr->d_m, n->map.dis.total));
  TW_TRY(read_flat(f, n->be, "/train/adam/critic_v", tr->d_v, n->map.dis.total));
  tr->step = step;
  tr->critic_updates = critic_updates;
  return read_curves(f, tr);
}

#else
/* Without HDF5 there are no model files; ISO C wants a declaration here. */
typedef int tw_gan_nets_file_unavailable;
#endif
