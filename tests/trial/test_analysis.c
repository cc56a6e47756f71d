/*
** test_analysis.c: the trial analysis (analysis.c) and summary.json
** (summary_json.c) against scipy, statsmodels and lifelines.
**
** tests/data/trial/analysis_data.txt holds five trials' endpoint matrices
** (crossover and parallel; NaNs, ties, zero differences, censoring, all events,
** no events, separation, a one-twin arm, no responder rule, a 90% level);
** analysis_reference.txt holds every leaf their summary.json must have, computed
** by validation/trial_analysis_reference.py. For each trial this test builds a
** tw_trial_data from the matrix, analyses it, writes summary.json, reads the
** file back with the strict JSON reader (so it is well-formed JSON), and checks
** every reference leaf: numbers to 1e-9 relative (absolute where the reference
** is 0), p-values to 1e-12 absolute, integers and strings exactly, and a null
** with the "<key>_note" the reference names. Every leaf of the file must be
** named by the reference: a leaf added or dropped fails. The Kaplan-Meier steps
** kept for the report are checked against lifelines' survival function.
** The worst errors are printed and held to regression bounds (tw_bounds.h).
**
** Also: bad data (and duplicate names) are refused as TW_ERR_INPUT, a trial
** without twins is analysed as "too few" everywhere, the atomic write leaves nothing
** behind (no file when it fails, no .partial when it succeeds), and the JSON
** writer and reader round-trip escapes and numbers bit for bit and refuse
** malformed text.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* mkdir */

#include "core/json.h"
#include "trial/trial_results.h"
#include "tw_bounds.h"
#include "tw_test.h"

#define REL_LIMIT 1e-9
#define P_LIMIT 1e-12
/* Regression bounds: ~10x the worst error measured on 2026-12-01 (x86-64, gcc). */
#define REL_REG 2e-13
#define P_REG 6e-14
#define MAX_ARMS 8
#define MAX_EPS 16
#define MAX_TTE 4

/* One trial of the data fixture, and the tw_trial_data pointing into it. */
typedef struct fx_trial {
  char name[64];
  char *arm_names[MAX_ARMS], *ep_names[MAX_EPS], *ep_units[MAX_EPS], *tte_names[MAX_TTE];
  tw_trial_tte tte[MAX_TTE];
  double *values;
  int32_t *arm_of;
  tw_trial_data d;
} fx_trial;

typedef struct fx_worst {
  double rel, p;
  size_t checked;
} fx_worst;

/* ---- small text helpers ---------------------------------------------------------- */


/* The next space-separated word of *p (NUL-terminated in place), or NULL. */
static char *word(char **p) {
  while (**p == ' ') (*p)++;
  if (!**p) return NULL;
  char *w = *p;
  while (**p && **p != ' ') (*p)++;
  if (**p) *(*p)++ = 0;
  return w;
}

/* The next line of *p (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p) {
  if (!*p || !**p) return NULL;
  char *l = *p, *nl = strchr(l, '\n');
  if (nl) *nl = 0, *p = nl + 1;
  else *p = l + strlen(l);
  return l;
}

static char *dup(const char *s) {
  char *d = malloc(strlen(s) + 1);
  return d ? strcpy(d, s) : NULL;
}

/* ---- the data fixture -------------------------------------------------------------- */

static void trial_free(fx_trial *t) {
  for (int i = 0; i < MAX_ARMS; i++) free(t->arm_names[i]);
  for (int i = 0; i < MAX_EPS; i++) free(t->ep_names[i]), free(t->ep_units[i]);
  for (int i = 0; i < MAX_TTE; i++) free(t->tte_names[i]);
  free(t->values), free(t->arm_of);
  memset(t, 0, sizeof *t);
}

/* "case NAME DESIGN A REF N LEVEL" */
static int parse_head(char *l, fx_trial *t) {
  word(&l);
  snprintf(t->name, sizeof t->name, "%s", word(&l));
  t->d.design = !strcmp(word(&l), "crossover") ? TW_DESIGN_CROSSOVER : TW_DESIGN_PARALLEL;
  t->d.n_arms = atoi(word(&l));
  t->d.reference_arm = atoi(word(&l));
  t->d.n_twins = atoll(word(&l));
  t->d.level = strtod(word(&l), NULL);
  t->d.responder.ep = -1;
  return t->d.n_arms <= MAX_ARMS;
}

static int parse_values(char *l, fx_trial *t, int e) {
  const size_t per = (size_t)t->d.n_twins * (size_t)t->d.n_arms;
  if (!t->values) t->values = calloc((size_t)MAX_EPS * per + 1, sizeof *t->values);
  if (!t->values || e >= MAX_EPS) return 0;
  size_t k = 0;
  for (char *w; (w = word(&l)) && k < per; k++) t->values[(size_t)e * per + k] = strtod(w, NULL);
  return k == per;
}

static int parse_assign(char *l, fx_trial *t) {
  t->arm_of = calloc((size_t)t->d.n_twins + 1, sizeof *t->arm_of);
  int64_t i = 0;
  for (char *w; t->arm_of && (w = word(&l)) && i < t->d.n_twins; i++) t->arm_of[i] = (int32_t)atoi(w);
  return i == t->d.n_twins;
}

/* One body line of a trial; returns 0 on a malformed line. */
static int parse_body(char *l, fx_trial *t, int *n_ep, int *n_val) {
  char *kind = word(&l);
  if (!strcmp(kind, "arms")) {
    for (int a = 0; a < t->d.n_arms; a++) t->arm_names[a] = dup(word(&l));
  } else if (!strcmp(kind, "endpoint") && *n_ep < MAX_EPS) {
    t->ep_names[*n_ep] = dup(word(&l));
    t->ep_units[(*n_ep)++] = dup(word(&l));
  } else if (!strcmp(kind, "responder")) {
    t->d.responder.ep = atoi(word(&l));
    t->d.responder.threshold = strtod(word(&l), NULL);
    t->d.responder.above = atoi(word(&l));
  } else if (!strcmp(kind, "tte") && t->d.n_tte < MAX_TTE) {
    tw_trial_tte *x = &t->tte[t->d.n_tte];
    x->name = t->tte_names[t->d.n_tte++] = dup(word(&l));
    x->time_ep = atoi(word(&l));
    x->event_ep = atoi(word(&l));
  } else if (!strcmp(kind, "assign")) {
    return parse_assign(l, t);
  } else if (!strcmp(kind, "values")) {
    return parse_values(l, t, (*n_val)++);
  } else {
    return 0;
  }
  return 1;
}

static void link_data(fx_trial *t, int n_ep) {
  t->d.arms = (const char *const *)t->arm_names;
  t->d.n_endpoints = n_ep;
  t->d.ep_names = (const char *const *)t->ep_names;
  t->d.ep_units = (const char *const *)t->ep_units;
  t->d.values = t->values;
  t->d.arm_of = t->arm_of;
  t->d.tte = t->tte;
}

/* Reads the trial starting at the "case" line *l; *p continues after its "end". */
static int parse_trial(char *l, char **p, fx_trial *t) {
  memset(t, 0, sizeof *t);
  if (!parse_head(l, t)) return 0;
  int n_ep = 0, n_val = 0;
  while ((l = next_line(p)) && strcmp(l, "end"))
    if (!parse_body(l, t, &n_ep, &n_val)) return 0;
  link_data(t, n_ep);
  return l && n_val == n_ep;
}

/* ---- the reference: leaves of summary.json by path ---------------------------------- */

static size_t count_leaves(const tw_json_value *v) {
  if (v->type != TW_JSON_ARRAY && v->type != TW_JSON_OBJECT) return 1;
  size_t n = 0;
  for (size_t i = 0; i < v->n; i++) n += count_leaves(&v->items[i]);
  return n;
}

/* The value at a slash-separated path ("endpoints/tir/comparisons/0/ci95/1"). */
static const tw_json_value *at_path(const tw_json_value *v, const char *path) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *seg = buf, *next; v && seg; seg = next) {
    next = strchr(seg, '/');
    if (next) *next++ = 0;
    if (v->type == TW_JSON_ARRAY) v = (size_t)atoi(seg) < v->n ? &v->items[atoi(seg)] : NULL;
    else v = tw_json_get(v, seg);
  }
  return v;
}

static const char *est_text_of_word(const char *w) {
  static const char *words[] = {"ok", "too_few", "zero_variance", "all_zero", "all_ties", "no_events", "separation"};
  for (size_t i = 0; i < TW_ARRAY_LEN(words); i++)
    if (!strcmp(words[i], w)) return tw_stat_est_text((tw_stat_est)i);
  return NULL;
}

/* A JSON string literal of the reference, decoded by the reader; NULL if malformed. */
static char *decode_string(const char *lit) {
  tw_json_value v;
  if (tw_json_parse(lit, strlen(lit), "reference", &v) != TW_OK) return tw_error_clear(), NULL;
  char *s = v.type == TW_JSON_STRING ? dup(v.string) : NULL;
  tw_json_free(&v);
  return s;
}

static double rel_err(double got, double want) {
  return want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
}

/* A null leaf and its "<path>_note" sibling saying `why`. Returns leaves covered (2), 0 on mismatch. */
static size_t check_null(const tw_json_value *doc, const char *path, const tw_json_value *v, const char *why) {
  char note_path[600];
  snprintf(note_path, sizeof note_path, "%s_note", path);
  const tw_json_value *note = at_path(doc, note_path);
  char *want = why[0] == '"' ? decode_string(why) : dup(est_text_of_word(why) ? est_text_of_word(why) : "?");
  const int ok = v->type == TW_JSON_NULL && note && note->type == TW_JSON_STRING && want && !strcmp(note->string, want);
  if (!ok)
    fprintf(stderr, "  %s: want null with note \"%s\", got type %d, note \"%s\"\n", path, want ? want : "?", (int)v->type,
            note && note->type == TW_JSON_STRING ? note->string : "(none)");
  free(want);
  return ok ? 2 : 0;
}

/* Checks one "PATH = KIND VALUE" line; returns the leaves it covers, 0 on mismatch. */
static size_t check_leaf(const tw_json_value *doc, char *line, fx_worst *w) {
  char *path = word(&line), *eq = word(&line), *kind = word(&line), *val = line;
  const tw_json_value *v = path && eq && kind ? at_path(doc, path) : NULL;
  if (!v) return fprintf(stderr, "  %s: missing from summary.json\n", path ? path : "?"), 0;
  if (!strcmp(kind, "null")) return check_null(doc, path, v, val);
  if (!strcmp(kind, "str")) {
    char *want = decode_string(val);
    const int ok = want && v->type == TW_JSON_STRING && !strcmp(v->string, want);
    if (!ok) fprintf(stderr, "  %s: want %s, got \"%s\"\n", path, val, v->type == TW_JSON_STRING ? v->string : "?");
    free(want);
    return (size_t)ok;
  }
  const double want = strtod(val, NULL);
  if (v->type != TW_JSON_NUMBER) return fprintf(stderr, "  %s: want %s %s, got type %d\n", path, kind, val, (int)v->type), 0;
  const double err = !strcmp(kind, "p") ? fabs(v->number - want) : rel_err(v->number, want);
  const double limit = !strcmp(kind, "int") ? 0 : !strcmp(kind, "p") ? P_LIMIT : REL_LIMIT;
  double *worst = !strcmp(kind, "p") ? &w->p : &w->rel;
  if (err > *worst) *worst = err;
  if (err > limit) return fprintf(stderr, "  %s: %.17g, reference %.17g (%s error %.3g)\n", path, v->number, want, kind, err), 0;
  w->checked++;
  return 1;
}

/* "steps T A = N t1 s1 ..." against the analysis' kept Kaplan-Meier curve. */
static int check_steps(char *line, const tw_trial_analysis *a, fx_worst *w) {
  word(&line);
  const int t = atoi(word(&line)), arm = atoi(word(&line));
  word(&line);
  const size_t n = (size_t)atoll(word(&line));
  const tw_trial_tte_result *r = &a->tte[t];
  if (r->n_steps[arm] != n) return fprintf(stderr, "  steps %d %d: %zu, reference %zu\n", t, arm, r->n_steps[arm], n), 0;
  for (size_t k = 0; k < n; k++) {
    const double et = rel_err(r->step_time[arm][k], strtod(word(&line), NULL));
    const double es = rel_err(r->step_surv[arm][k], strtod(word(&line), NULL));
    w->rel = fmax(w->rel, fmax(et, es));
    if (et > REL_LIMIT || es > REL_LIMIT) return fprintf(stderr, "  steps %d %d: step %zu differs\n", t, arm, k), 0;
    w->checked += 2;
  }
  return 1;
}

/* Checks the reference lines of one trial (up to its "end") against the file at json_path. */
static int check_reference(char **ref, const char *json_path, const tw_trial_analysis *a, fx_worst *w) {
  size_t len, covered = 0, bad = 0;
  char *text = tw_test_slurp(json_path, &len), *l;
  tw_json_value doc;
  if (!text || tw_json_parse(text, len, json_path, &doc) != TW_OK)
    return fprintf(stderr, "  %s: not readable as JSON: %s\n", json_path, tw_error_message()), free(text), 0;
  while ((l = next_line(ref)) && strcmp(l, "end")) {
    if (!strncmp(l, "steps ", 6)) bad += !check_steps(l, a, w);
    else {
      const size_t c = check_leaf(&doc, l, w);
      covered += c, bad += !c;
    }
  }
  const size_t leaves = count_leaves(&doc);
  if (covered != leaves) fprintf(stderr, "  %s: %zu leaves, the reference names %zu\n", json_path, leaves, covered);
  tw_json_free(&doc);
  free(text);
  return !bad && covered == leaves;
}

/* ---- the cases ----------------------------------------------------------------------- */

static void test_against_reference(void) {
  size_t dlen, rlen;
  char *data = tw_test_slurp(TW_TEST_DATA_DIR "/trial/analysis_data.txt", &dlen);
  char *ref = tw_test_slurp(TW_TEST_DATA_DIR "/trial/analysis_reference.txt", &rlen);
  CHECK_MSG(data && ref, "cannot read the fixtures under %s/trial", TW_TEST_DATA_DIR);
  char *dp = data, *rp = ref, *l;
  fx_worst w = {0};
  int trials = 0, failed = 0;
  while ((l = next_line(&dp))) {
    if (strncmp(l, "case ", 5)) continue;
    fx_trial t;
    tw_trial_analysis an;
    if (!parse_trial(l, &dp, &t)) {
      fprintf(stderr, "malformed trial in analysis_data.txt\n");
      failed++;
      trial_free(&t);
      break;
    }
    while ((l = next_line(&rp)) && strncmp(l, "case ", 5)) {}
    char path[1024];
    snprintf(path, sizeof path, "%s/test_analysis_%s.json", TW_BINARY_DIR, t.name);
    const int ok = l && !strcmp(l + 5, t.name) && tw_trial_analyse(&t.d, &an) == TW_OK;
    const int written = ok && tw_trial_summary_write(path, &t.d, &an) == TW_OK;
    const int matches = written && check_reference(&rp, path, &an, &w);
    fprintf(stderr, "trial %-18s %s\n", t.name, matches ? "matches" : "DIFFERS (or failed)");
    if (!ok || !written) fprintf(stderr, "  %s\n", tw_error_message());
    failed += !matches, trials++;
    if (ok) tw_trial_analysis_free(&an);
    trial_free(&t);
  }
  free(data), free(ref);
  fprintf(stderr, "%d trials, %zu numbers checked\n", trials, w.checked);
  CHECK_EQ_INT(failed, 0);
  CHECK_EQ_INT(trials, 5);
  CHECK_BOUNDS("summary.json numbers (relative)", w.rel, REL_REG, REL_LIMIT);
  CHECK_BOUNDS("summary.json p-values (absolute)", w.p, P_REG, P_LIMIT);
}

/* A 2-arm, 3-twin parallel trial with one endpoint, for the bad-input cases. */
static const char *const ARMS2[] = {"a", "b"};
static const char *const EP1[] = {"x"};
static const char *const EP2[] = {"t", "e"};

static tw_trial_data small_parallel(const double *values, const int32_t *arm_of) {
  return (tw_trial_data){.design = TW_DESIGN_PARALLEL, .n_arms = 2, .arms = ARMS2, .n_twins = 3, .n_endpoints = 1,
                         .ep_names = EP1, .ep_units = EP1, .values = values, .arm_of = arm_of,
                         .responder = {.ep = -1}, .level = 0.95};
}

static void test_bad_input(void) {
  const double ok_values[] = {1, NAN, NAN, 2, 3, NAN};
  const double stray[] = {1, 5, NAN, 2, 3, NAN}; /* twin 0 (arm a) has a value in arm b */
  const int32_t arm_of[] = {0, 1, 0}, bad_arm[] = {0, 2, 0};
  tw_trial_analysis an;
  tw_trial_data d = small_parallel(ok_values, arm_of);
  CHECK_OK(tw_trial_analyse(&d, &an));
  CHECK_EQ_INT(an.ep[0].arms[0].n, 2);
  tw_trial_analysis_free(&an);
  d = small_parallel(stray, arm_of);
  CHECK_STATUS(tw_trial_analyse(&d, &an), TW_ERR_INPUT);
  d = small_parallel(ok_values, bad_arm);
  CHECK_STATUS(tw_trial_analyse(&d, &an), TW_ERR_INPUT);
  d = small_parallel(ok_values, arm_of);
  d.reference_arm = 2;
  CHECK_STATUS(tw_trial_analyse(&d, &an), TW_ERR_INPUT);
  d.reference_arm = 0, d.responder.ep = 1;
  CHECK_STATUS(tw_trial_analyse(&d, &an), TW_ERR_INPUT);
  /* an event flag that is neither 0 nor 1 */
  const double tte_values[] = {10, 20, 30, 40, 50, 60, 1, 0, 2, 1, 0, 1};
  const tw_trial_tte tte = {.name = "e", .time_ep = 0, .event_ep = 1};
  tw_trial_data c = {.design = TW_DESIGN_CROSSOVER, .n_arms = 2, .arms = ARMS2, .n_twins = 3, .n_endpoints = 2,
                     .ep_names = EP2, .values = tte_values, .responder = {.ep = -1}, .n_tte = 1, .tte = &tte,
                     .level = 0.95};
  CHECK_STATUS(tw_trial_analyse(&c, &an), TW_ERR_INPUT);
  tw_error_clear();
}

static void test_atomic_write(void) {
  const double values[] = {1, NAN, NAN, 2, 3, NAN};
  const int32_t arm_of[] = {0, 1, 0};
  tw_trial_data d = small_parallel(values, arm_of);
  tw_trial_analysis an;
  CHECK_OK(tw_trial_analyse(&d, &an));
  /* the rename fails (the target is a directory): the .partial is removed */
  const char *dir = TW_BINARY_DIR "/test_analysis_target_is_a_dir";
  mkdir(dir, 0755);
  const tw_status st = tw_trial_summary_write(dir, &d, &an);
  FILE *left = fopen(TW_BINARY_DIR "/test_analysis_target_is_a_dir.partial", "r");
  if (left) fclose(left);
  const tw_status st0 = tw_trial_summary_write(TW_BINARY_DIR "/no_such_dir/summary.json", &d, &an);
  const char *good = TW_BINARY_DIR "/test_analysis_atomic.json";
  remove(good);
  const tw_status st2 = tw_trial_summary_write(good, &d, &an);
  tw_trial_analysis_free(&an);
  CHECK_EQ_INT(st, TW_ERR_IO);
  CHECK_MSG(!left, "the .partial file is left behind after a failed rename");
  CHECK_EQ_INT(st0, TW_ERR_IO);
  CHECK_OK(st2);
  FILE *f = fopen(TW_BINARY_DIR "/test_analysis_atomic.json.partial", "r");
  if (f) fclose(f);
  CHECK_MSG(!f, "the .partial file is left behind after a successful write");
  tw_error_clear();
}

/* No twins at all: every statistic says "too few", the file is still written. */
static void test_empty_trial(void) {
  const tw_trial_tte tte = {.name = "e", .time_ep = 0, .event_ep = 1};
  tw_trial_data c = {.design = TW_DESIGN_CROSSOVER, .n_arms = 2, .arms = ARMS2, .n_twins = 0, .n_endpoints = 2,
                     .ep_names = EP2, .values = NULL, .responder = {.ep = 0, .threshold = 1, .above = 1},
                     .n_tte = 1, .tte = &tte, .level = 0.95};
  tw_trial_analysis an;
  CHECK_OK(tw_trial_analyse(&c, &an));
  const int too_few = an.ep[0].arms[0].est == TW_STAT_TOO_FEW && an.ep[0].comp[0].t.est == TW_STAT_TOO_FEW &&
                      an.resp.rate[1].est == TW_STAT_TOO_FEW && an.tte[0].km[0].est == TW_STAT_TOO_FEW &&
                      an.tte[0].cox[0].est == TW_STAT_TOO_FEW && an.tte[0].n_steps[0] == 0;
  const tw_status st = tw_trial_summary_write(TW_BINARY_DIR "/test_analysis_empty.json", &c, &an);
  const char *dup_arms[] = {"a", "a"};
  c.arms = dup_arms;
  const tw_status st_dup = tw_trial_summary_write(TW_BINARY_DIR "/test_analysis_dup.json", &c, &an);
  tw_trial_analysis_free(&an);
  CHECK(too_few);
  CHECK_OK(st);
  CHECK_EQ_INT(st_dup, TW_ERR_INPUT);
  size_t len;
  char *text = tw_test_slurp(TW_BINARY_DIR "/test_analysis_empty.json", &len);
  tw_json_value v;
  CHECK(text);
  const tw_status parsed = tw_json_parse(text, len, "empty", &v);
  free(text);
  CHECK_OK(parsed);
  const tw_json_value *mean = at_path(&v, "endpoints/t/arms/a/mean");
  const int is_null = mean && mean->type == TW_JSON_NULL;
  tw_json_free(&v);
  CHECK(is_null);
  tw_error_clear();
}

static void test_json_round_trip(void) {
  const char *tricky = "q\"b\\s/n\nt\tc\x01 \xc3\xa9 \xf0\x9f\x98\x80";
  char buf[512] = {0};
  FILE *f = tmpfile();
  CHECK(f);
  tw_json_writer w;
  tw_json_init(&w, f);
  tw_json_begin_object(&w);
  tw_json_key(&w, tricky), tw_json_string(&w, tricky);
  tw_json_key(&w, "n"), tw_json_begin_array(&w), tw_json_number(&w, 0.1), tw_json_number(&w, NAN),
      tw_json_number(&w, -1e-300), tw_json_int(&w, -9007199254740993LL), tw_json_bool(&w, 1), tw_json_number(&w, 0.1 + 0.2),
      tw_json_number(&w, 1.0 / 3), tw_json_end_array(&w);
  tw_json_key(&w, "empty"), tw_json_begin_object(&w), tw_json_end_object(&w);
  tw_json_end_object(&w);
  CHECK_OK(tw_json_finish(&w, "tmpfile"));
  rewind(f);
  const size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  tw_json_value v;
  CHECK_OK(tw_json_parse(buf, len, "round trip", &v));
  const tw_json_value *s = tw_json_get(&v, tricky), *n = tw_json_get(&v, "n");
  const int ok = s && s->type == TW_JSON_STRING && !strcmp(s->string, tricky) && n && n->n == 7 &&
                 n->items[0].number == 0.1 && n->items[1].type == TW_JSON_NULL && n->items[2].number == -1e-300 &&
                 n->items[4].type == TW_JSON_BOOL && n->items[5].number == 0.1 + 0.2 &&
                 n->items[6].number == 1.0 / 3 && tw_json_get(&v, "empty")->n == 0;
  tw_json_free(&v);
  CHECK_MSG(ok, "the JSON did not round-trip:\n%s", buf);
}

static void test_json_rejects(void) {
  const char *bad[] = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "[1.]", "[.5]", "[NaN]", "[Infinity]",
                       "\"\x01\"", "\"\\x\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "[1] 2", "tru", "[\"abc]", "{1:2}"};
  for (size_t i = 0; i < TW_ARRAY_LEN(bad); i++) {
    tw_json_value v;
    const tw_status st = tw_json_parse(bad[i], strlen(bad[i]), "bad", &v);
    CHECK_MSG(st == TW_ERR_INPUT, "accepted malformed JSON: %s", bad[i]);
  }
  const char *good = " {\"a\": [1, -0.5e+3, true, false, null, \"\\u00e9\\ud83d\\ude00\"], \"b\": {}} ";
  tw_json_value v;
  CHECK_OK(tw_json_parse(good, strlen(good), "good", &v));
  const tw_json_value *a = tw_json_get(&v, "a");
  const int ok = a && a->n == 6 && a->items[1].number == -500 && !strcmp(a->items[5].string, "\xc3\xa9\xf0\x9f\x98\x80");
  tw_json_free(&v);
  CHECK(ok);
  tw_error_clear();
}

int main(void) {
  TW_TEST_RUN(test_against_reference);
  TW_TEST_RUN(test_bad_input);
  TW_TEST_RUN(test_atomic_write);
  TW_TEST_RUN(test_empty_trial);
  TW_TEST_RUN(test_json_round_trip);
  TW_TEST_RUN(test_json_rejects);
  return TW_TEST_RESULT();
}
