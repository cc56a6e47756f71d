/*
** grt_layout.c: where each GRT tensor sits in the parameter buffer.
**
** The order is PyTorch's state_dict order for the module of DESIGN.md
** (gnn.{l}.lin_self.weight, .lin_self.bias, .lin_nbr.weight per layer, then
** the LSTMCell's four tensors, then the head), so a model file, a gradient file
** and the flat buffer all walk the tensors the same way.
*/
#include "nn/grt.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */

/* Appends one tensor; returns its offset. */
static int64_t add_tensor(tw_grt_layout *lay, const char *name, int rank, int64_t d0, int64_t d1, int64_t fan_in) {
  tw_grt_tensor *t = &lay->tensors[lay->count++];
  snprintf(t->name, sizeof t->name, "%s", name);
  t->rank = rank;
  t->dims[0] = d0;
  t->dims[1] = rank == 2 ? d1 : 1;
  t->numel = rank == 2 ? d0 * d1 : d0;
  t->offset = lay->total;
  t->fan_in = fan_in;
  lay->total += t->numel;
  return t->offset;
}

tw_status tw_grt_layout_make(const tw_grt_sizes *sz, tw_grt_layout *out) {
  const int v[7] = {sz->N, sz->F, sz->H, sz->Hr, sz->L, sz->M, sz->O};
  const char *names[7] = {"N", "F", "H", "Hr", "L", "M", "O"};
  for (int i = 0; i < 7; ++i)
    if (v[i] <= 0) return TW_FAIL(TW_ERR_INPUT, "GRT size %s = %d: must be positive", names[i], v[i]);
  if (sz->L > TW_GRT_MAX_LAYERS)
    return TW_FAIL(TW_ERR_INPUT, "GRT size L = %d: at most %d GNN layers", sz->L, TW_GRT_MAX_LAYERS);
  memset(out, 0, sizeof *out);
  out->sz = *sz;
  char name[TW_GRT_NAME_CAP];
  for (int l = 0; l < sz->L; ++l) {
    int in = tw_grt_layer_in(sz, l);
    snprintf(name, sizeof name, "gnn.%d.lin_self.weight", l);
    out->gnn_self_w[l] = add_tensor(out, name, 2, sz->H, in, in);
    snprintf(name, sizeof name, "gnn.%d.lin_self.bias", l);
    out->gnn_self_b[l] = add_tensor(out, name, 1, sz->H, 0, in);
    snprintf(name, sizeof name, "gnn.%d.lin_nbr.weight", l);
    out->gnn_nbr_w[l] = add_tensor(out, name, 2, sz->H, in, in);
  }
  /* nn.LSTMCell initialises all four tensors from U(-1/sqrt(Hr), 1/sqrt(Hr)). */
  out->lstm_w_ih = add_tensor(out, "lstm.weight_ih", 2, 4 * (int64_t)sz->Hr, sz->H, sz->Hr);
  out->lstm_w_hh = add_tensor(out, "lstm.weight_hh", 2, 4 * (int64_t)sz->Hr, sz->Hr, sz->Hr);
  out->lstm_b_ih = add_tensor(out, "lstm.bias_ih", 1, 4 * (int64_t)sz->Hr, 0, sz->Hr);
  out->lstm_b_hh = add_tensor(out, "lstm.bias_hh", 1, 4 * (int64_t)sz->Hr, 0, sz->Hr);
  out->head0_w = add_tensor(out, "head.0.weight", 2, sz->M, sz->Hr, sz->Hr);
  out->head0_b = add_tensor(out, "head.0.bias", 1, sz->M, 0, sz->Hr);
  out->head2_w = add_tensor(out, "head.2.weight", 2, sz->O, sz->M, sz->M);
  out->head2_b = add_tensor(out, "head.2.bias", 1, sz->O, 0, sz->M);
  return TW_OK;
}

const tw_grt_tensor *tw_grt_find(const tw_grt_layout *lay, const char *name) {
  for (int i = 0; i < lay->count; ++i)
    if (!strcmp(lay->tensors[i].name, name)) return &lay->tensors[i];
  return NULL;
}

double tw_grt_flops_per_twin_step(const tw_grt_sizes *sz) {
  double N = sz->N, H = sz->H, Hr = sz->Hr, M = sz->M, O = sz->O, f = 0.0;
  for (int l = 0; l < sz->L; ++l) f += 2.0 * N * tw_grt_layer_in(sz, l) * 2.0 * H + 2.0 * N * N * H;
  f += 2.0 * N * 4.0 * Hr * (H + Hr);
  f += 2.0 * N * M * (Hr + O);
  return f;
}
