/*
** endpoints_fixture.h: reader of tests/data/endpoints/endpoints_reference.txt,
** the traces and numpy results written by validation/endpoints_reference.py
** (its docstring gives the format). Header-only: one test program uses it.
*/
#ifndef TW_TESTS_ENDPOINTS_FIXTURE_H
#define TW_TESTS_ENDPOINTS_FIXTURE_H

#include <stdio.h>  /* FILE, fscanf */
#include <stdlib.h> /* strtod, strtoll, malloc */
#include <string.h> /* strcmp */

#include "trial/endpoints.h" /* tw_ep_threshold, TW_EP_N_BG, TW_PK_N */

enum { FX_MAX_TWINS = 64, FX_MAX_GROUPS = 16, FX_MAX_USER = 8, FX_MAX_DOSES = 16 };

typedef struct fx_bg_group {
  char name[64];
  tw_ep_window win;
  int64_t n_min;                 /* trace length: minutes 0..n_min-1 */
  int n_user, n;
  tw_ep_threshold user[FX_MAX_USER];
  char twin[FX_MAX_TWINS][64];
  double *v;                     /* (n, n_min) */
  double *expect;                /* (n, TW_EP_N_BG + n_user) */
} fx_bg_group;

typedef struct fx_pk_group {
  char name[64];
  int n_doses, n;
  int64_t doses[FX_MAX_DOSES], end, n_t;
  int64_t *t;                    /* (n_t) sample minutes */
  char twin[FX_MAX_TWINS][64];
  double *c;                     /* (n, n_t) */
  double *expect;                /* (n, TW_PK_N * n_doses) */
} fx_pk_group;

typedef struct fx_file {
  int n_bg, n_pk;
  fx_bg_group bg[FX_MAX_GROUPS];
  fx_pk_group pk[FX_MAX_GROUPS];
} fx_file;

/* The next token; 0 at the end of the file. Comment lines (#) are skipped. */
static int fx_tok(FILE *f, char *buf) {
  while (fscanf(f, "%255s", buf) == 1) {
    if (buf[0] != '#') return 1;
    int ch;
    while ((ch = fgetc(f)) != EOF && ch != '\n') {}
  }
  return 0;
}

static int fx_expect(FILE *f, const char *want) {
  char buf[256];
  return fx_tok(f, buf) && !strcmp(buf, want);
}

static int fx_doubles(FILE *f, double *x, int64_t n) {
  char buf[256];
  for (int64_t i = 0; i < n; i++) {
    if (!fx_tok(f, buf)) return 0;
    x[i] = strtod(buf, NULL);
  }
  return 1;
}

static int fx_kind(const char *s) {
  return !strcmp(s, "below") ? TW_EP_BELOW : !strcmp(s, "above") ? TW_EP_ABOVE : TW_EP_BETWEEN;
}

static int fx_bg_user(FILE *f, tw_ep_threshold *u) {
  char kind[256];
  if (!fx_expect(f, "user") || fscanf(f, "%255s %lf %lf %47s", kind, &u->lo, &u->hi, u->name) != 4)
    return 0;
  u->kind = fx_kind(kind);
  return 1;
}

/* The "twin NAME / TAG X[nv] / expect E[rows]" records of a group up to "end",
** into names, v (FX_MAX_TWINS, nv) and expect (FX_MAX_TWINS, rows); count in *n. */
static int fx_read_twins(FILE *f, const char *tag, int64_t nv, int rows, char (*names)[64],
                         double *v, double *expect, int *n) {
  char buf[256];
  if (!v || !expect) return 0;
  while (fx_tok(f, buf) && !strcmp(buf, "twin") && *n < FX_MAX_TWINS) {
    if (fscanf(f, "%63s", names[*n]) != 1 || !fx_expect(f, tag)) return 0;
    if (!fx_doubles(f, v + *n * nv, nv) || !fx_expect(f, "expect")) return 0;
    if (!fx_doubles(f, expect + *n * rows, rows)) return 0;
    (*n)++;
  }
  return !strcmp(buf, "end");
}

/* After "bg_group": header, thresholds, twins, "end". */
static int fx_read_bg(FILE *f, fx_bg_group *g) {
  long long w, d, e, nm;
  if (fscanf(f, "%63s %lld %lld %lld %d %lld", g->name, &w, &d, &e, &g->n_user, &nm) != 6) return 0;
  g->win.warmup_min = w, g->win.duration_min = d, g->win.every_min = e, g->n_min = nm;
  for (int j = 0; j < g->n_user; j++)
    if (!fx_bg_user(f, &g->user[j])) return 0;
  g->v = malloc(sizeof(double) * FX_MAX_TWINS * (size_t)nm);
  g->expect = malloc(sizeof(double) * FX_MAX_TWINS * (size_t)(TW_EP_N_BG + g->n_user));
  return fx_read_twins(f, "v", nm, TW_EP_N_BG + g->n_user, g->twin, g->v, g->expect, &g->n);
}

static int fx_read_pk_times(FILE *f, fx_pk_group *g) {
  long long x;
  if (!fx_expect(f, "doses")) return 0;
  for (int j = 0; j < g->n_doses; j++) {
    if (fscanf(f, "%lld", &x) != 1) return 0;
    g->doses[j] = x;
  }
  if (!fx_expect(f, "t")) return 0;
  g->t = malloc(sizeof(int64_t) * (size_t)g->n_t);
  for (int64_t k = 0; k < g->n_t; k++) {
    if (fscanf(f, "%lld", &x) != 1) return 0;
    g->t[k] = x;
  }
  return 1;
}

/* After "pk_group": header, dose and sample times, twins, "end". */
static int fx_read_pk(FILE *f, fx_pk_group *g) {
  long long end, nt;
  if (fscanf(f, "%63s %d %lld %lld", g->name, &g->n_doses, &end, &nt) != 4) return 0;
  if (g->n_doses > FX_MAX_DOSES) return 0;
  g->end = end, g->n_t = nt;
  if (!fx_read_pk_times(f, g)) return 0;
  g->c = malloc(sizeof(double) * FX_MAX_TWINS * (size_t)nt);
  g->expect = malloc(sizeof(double) * FX_MAX_TWINS * (size_t)(TW_PK_N * g->n_doses));
  return fx_read_twins(f, "c", nt, TW_PK_N * g->n_doses, g->twin, g->c, g->expect, &g->n);
}

/* Reads the whole fixture into *x; 0 on a malformed or missing file. */
static int fx_read(const char *path, fx_file *x) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char buf[256];
  int ok = 1;
  memset(x, 0, sizeof *x);
  while (ok && fx_tok(f, buf)) {
    if (!strcmp(buf, "bg_group") && x->n_bg < FX_MAX_GROUPS) ok = fx_read_bg(f, &x->bg[x->n_bg++]);
    else if (!strcmp(buf, "pk_group") && x->n_pk < FX_MAX_GROUPS) ok = fx_read_pk(f, &x->pk[x->n_pk++]);
    else ok = 0;
  }
  fclose(f);
  return ok;
}

#endif
