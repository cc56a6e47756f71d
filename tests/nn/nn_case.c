/*
** nn_case.c: nn_case.h.
*/
#include "nn_case.h"

#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* malloc, free */

int nn_case_load(const char *file, nn_case *c) {
  *c = (nn_case){0};
  if (nn_fixture_load(file, &c->fx)) return -1;
  const nn_array *s = nn_fixture_get(&c->fx, "sizes");
  if (!s || s->numel != 10) return fprintf(stderr, "%s: no sizes record\n", file), -1;
  tw_grt_sizes sz = {(int)s->data[0], (int)s->data[1], (int)s->data[2], (int)s->data[3],
                     (int)s->data[4], (int)s->data[5], (int)s->data[6]};
  if (tw_grt_layout_make(&sz, &c->model.layout)) return fprintf(stderr, "%s: %s\n", file, tw_error_message()), -1;
  const tw_grt_layout *lay = &c->model.layout;
  c->model.params = malloc((size_t)lay->total * sizeof(float));
  if (!c->model.params) return -1;
  for (int i = 0; i < lay->count; ++i) {
    const tw_grt_tensor *t = &lay->tensors[i];
    const nn_array *a = nn_fixture_get(&c->fx, t->name);
    if (!a || a->numel != t->numel) return fprintf(stderr, "%s: weight %s missing or mis-sized\n", file, t->name), -1;
    for (int64_t k = 0; k < t->numel; ++k) c->model.params[t->offset + k] = (float)a->data[k];
  }
  c->x = nn_fixture_floats(&c->fx, "x");
  c->adj = nn_fixture_floats(&c->fx, "adj");
  c->h0 = nn_fixture_floats(&c->fx, "h0");
  c->c0 = nn_fixture_floats(&c->fx, "c0");
  c->target = nn_fixture_floats(&c->fx, "target");
  c->mask = nn_fixture_floats(&c->fx, "mask");
  if (!c->x || !c->adj || !c->target) return fprintf(stderr, "%s: x, adj or target missing\n", file), -1;
  c->batch = (tw_grt_batch){.B = (int)s->data[7], .T = (int)s->data[8], .x = c->x, .adj = c->adj,
                            .adj_per_twin = (int)s->data[9], .h0 = c->h0, .c0 = c->c0};
  return 0;
}

void nn_case_free(nn_case *c) {
  free(c->model.params);
  free(c->x);
  free(c->adj);
  free(c->h0);
  free(c->c0);
  free(c->target);
  free(c->mask);
  nn_fixture_free(&c->fx);
}
