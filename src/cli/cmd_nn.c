/*
** cmd_nn.c: `twinscale nn forward|grad|init`: the neural twin on HDF5 files.
**
**   nn forward --model M.h5 --input X.h5 --output Y.h5 [--backend auto|cpu|cuda]
**       X.h5: /x (B,T,N,F), /adj (N,N) or (B,N,N), optional /h0, /c0 (B,N,Hr)
**       Y.h5: /y (B,T,N,O), /h, /c (B,N,Hr)
**   nn grad --model M.h5 --input X.h5 --target T.h5 --output G.h5 [--backend auto|cpu|cuda]
**       T.h5: /y (B,T,N,O), optional /mask (B,T,N,O)
**       G.h5: root attribute `loss`, one dataset per weight under its PyTorch
**             name holding d loss / d weight, and /x_grad (B,T,N,F)
**   nn init --sizes N,F,H,Hr,L,M,O --seed S --output M.h5
**
** Every input is checked before any work: shapes against the model (the error
** names the dataset, its shape and the one expected), NaN and Inf in weights
** and inputs (naming the dataset and element). Bad input exits 2.
*/
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strlen */

#include "backend/backend.h" /* the backend the model runs on */
#include "build_info.h"      /* TW_HAVE_HDF5 */
#include "cli/cli.h"
#include "cli/options.h"   /* tw_opts_parse_named */

#if TW_HAVE_HDF5
#include "io/h5.h"       /* input and output files */
#include "nn/grt.h"      /* the model */
#include "nn/grt_file.h" /* model files */

/* Workspace budget for a chunk of twins; larger batches run in chunks. */
#define NN_WORKSPACE_BYTES ((size_t)2 << 30)

/* The files and the backend of forward and grad. */
typedef struct nn_args {
  const char *model, *input, *target, *output, *backend;
} nn_args;

/* forward (grad = 0) or grad's options. */
static int parse_args(int argc, char **argv, int grad, nn_args *a) {
  int backend = 1; /* cpu */
  *a = (nn_args){NULL};
  const tw_opt opts[] = {
      {.name = "model", .kind = TW_OPT_STRING, .dest = &a->model, .required = 1},
      {.name = "input", .kind = TW_OPT_STRING, .dest = &a->input, .required = 1},
      {.name = "output", .kind = TW_OPT_STRING, .dest = &a->output, .required = 1},
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends},
      {.name = "target", .kind = TW_OPT_STRING, .dest = &a->target, .required = 1}, /* last: grad only */
  };
  int bad = tw_opts_parse_named(grad ? "nn grad" : "nn forward", opts, (int)TW_ARRAY_LEN(opts) - !grad, argc, argv);
  a->backend = tw_opt_backends[backend];
  return bad;
}

/* Reads a float32 dataset of the given rank whose dims match `want` (-1: any),
** checking for NaN/Inf; the message names file, dataset and both shapes. */
static tw_status read_checked(tw_h5_file *f, const char *path, int rank, const int64_t *want, const char *shape_text,
                              tw_tensor *out) {
  int r = 0;
  int64_t d[TW_TENSOR_MAX_RANK];
  TW_TRY(tw_h5_shape(f, path, &r, d));
  int ok = r == rank;
  for (int i = 0; ok && i < rank; ++i) ok = want[i] < 0 || want[i] == d[i];
  if (!ok) {
    char got[96] = "(";
    for (int i = 0; i < r; ++i) snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "", (long long)d[i]);
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' is %s), expected %s", tw_h5_path(f), path, got, shape_text);
  }
  TW_TRY(tw_h5_read(f, path, TW_F32, out));
  tw_status st = tw_grt_check_finite(f, path, out->data, tw_tensor_numel(out));
  if (st != TW_OK) {
    free(out->data);
    out->data = NULL;
  }
  return st;
}

/* Everything one command holds on the host. */
typedef struct nn_job {
  tw_grt_layout lay;
  float *params;
  tw_tensor x, adj, h0, c0, target, mask;
  int B, T;
} nn_job;

static void job_free(nn_job *j) {
  free(j->params);
  tw_tensor *all[] = {&j->x, &j->adj, &j->h0, &j->c0, &j->target, &j->mask};
  for (size_t i = 0; i < TW_ARRAY_LEN(all); ++i) free(all[i]->data);
}

static tw_status read_model(const char *path, nn_job *j) {
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = tw_grt_file_read_layout(f, &j->lay);
  if (st == TW_OK) st = tw_grt_file_read_params(f, &j->lay, &j->params);
  tw_status cs = tw_h5_close(f);
  return st != TW_OK ? st : cs;
}

static tw_status read_inputs(const char *path, nn_job *j) {
  const tw_grt_sizes *s = &j->lay.sz;
  char text[96];
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = TW_OK;
  snprintf(text, sizeof text, "(B,T,%d,%d) for the model's N=%d, F=%d", s->N, s->F, s->N, s->F);
  TW_TRY_GOTO(st, read_checked(f, "/x", 4, (int64_t[]){-1, -1, s->N, s->F}, text, &j->x), done);
  j->B = (int)j->x.dims[0];
  j->T = (int)j->x.dims[1];
  if (j->B <= 0 || j->T <= 0) {
    st = TW_FAIL(TW_ERR_INPUT, "%s: dataset '/x' is empty", path);
    goto done;
  }
  int rank = 0;
  int64_t d[TW_TENSOR_MAX_RANK];
  TW_TRY_GOTO(st, tw_h5_shape(f, "/adj", &rank, d), done);
  snprintf(text, sizeof text, "(%d,%d) shared or (%d,%d,%d) per twin", s->N, s->N, j->B, s->N, s->N);
  if (rank == 3) TW_TRY_GOTO(st, read_checked(f, "/adj", 3, (int64_t[]){j->B, s->N, s->N}, text, &j->adj), done);
  else TW_TRY_GOTO(st, read_checked(f, "/adj", 2, (int64_t[]){s->N, s->N}, text, &j->adj), done);
  snprintf(text, sizeof text, "(%d,%d,%d): (B,N,Hr)", j->B, s->N, s->Hr);
  const int64_t state[3] = {j->B, s->N, s->Hr};
  if (tw_h5_exists(f, "/h0")) TW_TRY_GOTO(st, read_checked(f, "/h0", 3, state, text, &j->h0), done);
  if (tw_h5_exists(f, "/c0")) TW_TRY_GOTO(st, read_checked(f, "/c0", 3, state, text, &j->c0), done);
done:;
  tw_status cs = tw_h5_close(f);
  return st != TW_OK ? st : cs;
}

static tw_status read_target(const char *path, nn_job *j) {
  const tw_grt_sizes *s = &j->lay.sz;
  char text[96];
  snprintf(text, sizeof text, "(%d,%d,%d,%d): (B,T) of /x, the model's N and O", j->B, j->T, s->N, s->O);
  const int64_t want[4] = {j->B, j->T, s->N, s->O};
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = read_checked(f, "/y", 4, want, text, &j->target);
  if (st == TW_OK && tw_h5_exists(f, "/mask")) st = read_checked(f, "/mask", 4, want, text, &j->mask);
  tw_status cs = tw_h5_close(f);
  return st != TW_OK ? st : cs;
}

/* Device copies of the job's arrays (NULL where absent). */
typedef struct nn_device {
  float *params, *x, *adj, *h0, *c0, *target, *mask, *out[4];
} nn_device;

static tw_status upload(tw_backend *be, const tw_tensor *t, float **out) {
  *out = NULL;
  if (!t->data) return TW_OK;
  void *p = NULL;
  TW_TRY(be->alloc(be, tw_tensor_bytes(t), &p));
  *out = p;
  return be->copy(be, p, t->data, tw_tensor_bytes(t), TW_COPY_HOST_TO_DEVICE);
}

static tw_status alloc_out(tw_backend *be, int64_t n, float **out) {
  void *p = NULL;
  TW_TRY(be->alloc(be, (size_t)n * sizeof(float), &p));
  *out = p;
  return TW_OK;
}

static void device_free(tw_backend *be, nn_device *d) {
  float *all[] = {d->params, d->x, d->adj, d->h0, d->c0, d->target, d->mask, d->out[0], d->out[1], d->out[2], d->out[3]};
  for (size_t i = 0; i < TW_ARRAY_LEN(all); ++i)
    if (all[i]) be->free(be, all[i]);
}

static tw_status upload_job(tw_backend *be, const nn_job *j, nn_device *d) {
  tw_tensor params;
  TW_TRY(tw_tensor_view(&params, j->params, TW_F32, (tw_device){TW_DEVICE_HOST, 0}, 1, &j->lay.total));
  TW_TRY(upload(be, &params, &d->params));
  TW_TRY(upload(be, &j->x, &d->x));
  TW_TRY(upload(be, &j->adj, &d->adj));
  TW_TRY(upload(be, &j->h0, &d->h0));
  TW_TRY(upload(be, &j->c0, &d->c0));
  TW_TRY(upload(be, &j->target, &d->target));
  return upload(be, &j->mask, &d->mask);
}

/* Copies n floats from the device into a fresh host tensor of the given dims and
** writes it to `path` in f. */
static tw_status write_result(tw_backend *be, tw_h5_file *f, const char *path, const float *dev, int rank,
                              const int64_t *dims) {
  tw_tensor t;
  TW_TRY(tw_tensor_view(&t, NULL, TW_F32, (tw_device){TW_DEVICE_HOST, 0}, rank, dims));
  t.data = malloc(tw_tensor_bytes(&t) ? tw_tensor_bytes(&t) : 1);
  if (!t.data) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate %zu bytes for '%s'", tw_tensor_bytes(&t), path);
  tw_status st = be->copy(be, t.data, dev, tw_tensor_bytes(&t), TW_COPY_DEVICE_TO_HOST);
  if (st == TW_OK) st = be->synchronize(be);
  if (st == TW_OK) st = tw_h5_write(f, path, &t, "1");
  free(t.data);
  return st;
}

/* The shared body of forward and grad: read, check, upload, run, write. */
static tw_status run_nn(const nn_args *a, int grad) {
  nn_job j = {0};
  nn_device d = {0};
  tw_backend *be = NULL;
  tw_grt_workspace ws = {0};
  tw_h5_file *out = NULL;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, read_model(a->model, &j), done);
  TW_TRY_GOTO(st, read_inputs(a->input, &j), done);
  if (grad) TW_TRY_GOTO(st, read_target(a->target, &j), done);
  TW_TRY_GOTO(st, tw_backend_open(a->backend, 0, &be), done);
  printf("backend: %s (%s)\n", be->name, be->why);
  TW_TRY_GOTO(st, upload_job(be, &j, &d), done);

  const tw_grt_sizes *s = &j.lay.sz;
  const int64_t ydims[4] = {j.B, j.T, s->N, s->O}, sdims[3] = {j.B, s->N, s->Hr};
  const int64_t ny = (int64_t)j.B * j.T * s->N * s->O, ns = (int64_t)j.B * s->N * s->Hr;
  tw_grt_model m = {j.lay, d.params};
  tw_grt_batch batch = {.B = j.B, .T = j.T, .x = d.x, .adj = d.adj, .adj_per_twin = j.adj.rank == 3,
                        .h0 = d.h0, .c0 = d.c0};
  int chunk = tw_grt_default_chunk(be, s, j.B, j.T, grad, NN_WORKSPACE_BYTES);
  TW_TRY_GOTO(st, tw_grt_workspace_create(be, s, chunk, j.T, grad, &ws), done);
  TW_TRY_GOTO(st, tw_h5_create(a->output, NULL, NULL, &out), done);
  if (!grad) {
    TW_TRY_GOTO(st, alloc_out(be, ny, &d.out[0]), done);
    TW_TRY_GOTO(st, alloc_out(be, ns, &d.out[1]), done);
    TW_TRY_GOTO(st, alloc_out(be, ns, &d.out[2]), done);
    TW_TRY_GOTO(st, tw_grt_forward(be, &m, &batch, &ws, d.out[0], d.out[1], d.out[2]), done);
    TW_TRY_GOTO(st, write_result(be, out, "/y", d.out[0], 4, ydims), done);
    TW_TRY_GOTO(st, write_result(be, out, "/h", d.out[1], 3, sdims), done);
    TW_TRY_GOTO(st, write_result(be, out, "/c", d.out[2], 3, sdims), done);
  } else {
    double loss = 0.0;
    TW_TRY_GOTO(st, alloc_out(be, j.lay.total, &d.out[0]), done);
    TW_TRY_GOTO(st, alloc_out(be, tw_tensor_numel(&j.x), &d.out[1]), done);
    TW_TRY_GOTO(st, tw_grt_loss_backward(be, &m, &batch, d.target, d.mask, &ws, &loss, d.out[0], d.out[1], NULL), done);
    float *g = malloc((size_t)j.lay.total * sizeof(float));
    if (!g) {
      st = TW_FAIL(TW_ERR_NOMEM, "cannot allocate the gradient buffer");
      goto done;
    }
    st = be->copy(be, g, d.out[0], (size_t)j.lay.total * sizeof(float), TW_COPY_DEVICE_TO_HOST);
    if (st == TW_OK) st = be->synchronize(be);
    if (st == TW_OK) st = tw_grt_file_write(out, &j.lay, g);
    free(g);
    TW_TRY_GOTO(st, st, done);
    TW_TRY_GOTO(st, tw_h5_attr_write_f64(out, "loss", loss), done);
    TW_TRY_GOTO(st, write_result(be, out, "/x_grad", d.out[1], 4, j.x.dims), done);
  }
  st = tw_h5_close(out);
  out = NULL;
done:
  if (out) tw_h5_abort(out);
  if (be) {
    tw_grt_workspace_destroy(be, &ws);
    device_free(be, &d);
    tw_backend_close(be);
  }
  job_free(&j);
  return st;
}

int tw_cmd_nn_forward(int argc, char **argv) {
  nn_args a;
  int rc = parse_args(argc, argv, 0, &a);
  if (rc) return rc;
  tw_status st = run_nn(&a, 0);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}

int tw_cmd_nn_grad(int argc, char **argv) {
  nn_args a;
  int rc = parse_args(argc, argv, 1, &a);
  if (rc) return rc;
  tw_status st = run_nn(&a, 1);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}

int tw_cmd_nn_init(int argc, char **argv) {
  tw_opt_ints v = {.n = 0};
  int64_t seed = 0;
  const char *output = NULL;
  const tw_opt opts[] = {
      {.name = "sizes", .kind = TW_OPT_INTS, .dest = &v, .min = 1, .max = 1 << 20, .required = 1},
      {.name = "seed", .kind = TW_OPT_INT, .dest = &seed, .min = 0, .max = 0x1p63, .required = 1},
      {.name = "output", .kind = TW_OPT_STRING, .dest = &output, .required = 1},
  };
  int rc = tw_opts_parse_named("nn init", opts, TW_ARRAY_LEN(opts), argc, argv);
  if (rc) return rc;
  if (v.n != 7) return tw_cli_usage_error("nn init: --sizes must be seven numbers N,F,H,Hr,L,M,O, got %d number%s", v.n, v.n == 1 ? "" : "s");
  tw_grt_sizes sz = {(int)v.v[0], (int)v.v[1], (int)v.v[2], (int)v.v[3], (int)v.v[4], (int)v.v[5], (int)v.v[6]};
  tw_grt_layout lay;
  tw_status st = tw_grt_layout_make(&sz, &lay);
  if (st) return tw_cli_fail(st);
  float *params = malloc((size_t)lay.total * sizeof(float));
  if (!params) return tw_cli_fail(TW_FAIL(TW_ERR_NOMEM, "cannot allocate %lld parameters", (long long)lay.total));
  tw_grt_init_params(&lay, (uint64_t)seed, params);
  tw_h5_file *f = NULL;
  st = tw_h5_create(output, NULL, NULL, &f);
  if (st == TW_OK) {
    st = tw_grt_file_write(f, &lay, params);
    if (st == TW_OK) st = tw_h5_attr_write_i64(f, "seed", (int64_t)seed);
    if (st == TW_OK) st = tw_h5_close(f);
    else tw_h5_abort(f);
  }
  free(params);
  return st ? tw_cli_fail(st) : 0;
}
#endif
