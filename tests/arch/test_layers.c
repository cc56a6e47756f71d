/*
** test_layers.c: the layer rule of docs/architecture.md, checked on the source
** tree (unit label).
**
**   test_layers ROOT                                  check the tree, exit 1 on any violation
**   test_layers ROOT --expect-violation FILE:LINE:KIND ...
**                                                     exit 0 only when the violations reported
**                                                     are exactly those listed
**
** Reads every #include of ROOT/src, ROOT/cuda, ROOT/mpi and ROOT/include (files
** .c .h .cu .cuh .cpp .hpp; lines inside comments skipped), resolves each quoted
** name as the compiler does (the including file's folder, then src/, the root,
** cuda/, include/; a name found only as src/<layer>/NAME.in is generated from
** that template and belongs to that layer; an angle-bracket name counts only
** when include/ has it), gives the file and the header each a layer, and
** reports FILE:LINE: KIND: why, for KIND one of:
**
**   upward      a layer includes a header of a layer above it
**   sideways    nn and physio (or other peers at one level) include each other
**   private     a *_internal.h header included from outside its own folder
**   public      a header under include/ includes something outside include/
**   unresolved  a quoted include that names no file of the tree
**   unplaced    a file with no layer (a new src/ folder, a cuda/ file not named
**               after its family): the table below and docs/architecture.md
**               have to say where it goes
**
** The second form is how the test proves it can fail: tests/data/arch/ is a
** small tree with one include of each wrong kind beside correct ones, and the
** ctest lists the exact file, line and kind of every wrong one. A plain C
** program, not linked to libtwinscale, so it checks the tree without building it.
*/
#define _XOPEN_SOURCE 700 /* scandir, alphasort, realpath: POSIX (XSI), not C17 */

#include <dirent.h>   /* scandir, alphasort */
#include <limits.h>   /* PATH_MAX */
#include <stdio.h>    /* fopen, fgets, printf */
#include <stdlib.h>   /* realpath, strtol */
#include <string.h>   /* strcmp, strncmp, strrchr */
#include <sys/stat.h> /* stat, S_ISREG, S_ISDIR */

/* ---- the layers (docs/architecture.md), bottom to top ---------------------- */

typedef struct layer {
  const char *name;
  int level; /* a layer includes only its own headers and those of lower levels */
} layer;

static const layer LAYERS[] = {
    {"public", 0},                 /* include/twinscale/: includes nothing of src/ */
    {"core", 1},    {"mpi", 2},    {"io", 3},    {"backend", 4},
    {"physio", 5},  {"nn", 5},     /* the engines: peers */
    {"run", 6},                    /* the run engine */
    {"cohort", 7},  {"trial", 7},  {"train", 7}, {"twin", 7}, /* jobs on the run engine */
    {"gan", 8},     {"fed", 8},    /* jobs built on jobs: the GAN on cohorts and training, federation on training */
    {"module", 9},                 /* cuda/module_cuda.cu: the CUDA module's table of backend and families, */
                                   /* above every family with a CUDA table (the GAN's is at level 8) */
    {"cli", 10},
};
enum { N_LAYERS = sizeof LAYERS / sizeof LAYERS[0], PUBLIC = 0 };

static int layer_named(const char *name, size_t len) {
  for (int i = 0; i < N_LAYERS; ++i)
    if (strlen(LAYERS[i].name) == len && !strncmp(LAYERS[i].name, name, len)) return i;
  return -1;
}

/* The layer of a path relative to the root: include/... is public, mpi/... is
** mpi, src/<layer>/... is <layer>, cuda/<layer>_... sits beside <layer>'s CPU
** files. -1 for anything else. */
static int layer_of(const char *rel) {
  if (!strncmp(rel, "include/", 8)) return PUBLIC;
  if (!strncmp(rel, "mpi/", 4)) return layer_named("mpi", 3);
  if (!strncmp(rel, "src/", 4)) {
    const char *slash = strchr(rel + 4, '/');
    return slash ? layer_named(rel + 4, (size_t)(slash - rel - 4)) : -1;
  }
  if (!strncmp(rel, "cuda/", 5)) {
    const char *under = strchr(rel + 5, '_');
    return under && !strchr(rel + 5, '/') ? layer_named(rel + 5, (size_t)(under - rel - 5)) : -1;
  }
  return -1;
}

/* ---- violations ------------------------------------------------------------ */

enum { MAX_REPORTS = 4096, MAX_EXPECT = 64, TEXT = 1024 };

typedef struct report {
  char file[TEXT];
  int line;
  const char *kind;
} report;

static report reports[MAX_REPORTS];
static int n_reports = 0, n_files = 0, n_includes = 0;

static void violation(const char *file, int line, const char *kind, const char *why) {
  printf("%s:%d: %s: %s\n", file, line, kind, why);
  if (n_reports == MAX_REPORTS) return;
  report *r = &reports[n_reports++];
  snprintf(r->file, sizeof r->file, "%s", file);
  r->line = line;
  r->kind = kind;
}

/* ---- paths ----------------------------------------------------------------- */

static char root[PATH_MAX]; /* the root, resolved */

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Writes the path of `path` relative to the root into rel; 0 when it is not inside. */
static int relative(const char *path, char *rel, size_t cap) {
  char real[PATH_MAX];
  const size_t n = strlen(root);
  if (!realpath(path, real) || strncmp(real, root, n) || real[n] != '/') return 0;
  snprintf(rel, cap, "%s", real + n + 1);
  return 1;
}

/* The folder part of a relative path ("" for a file at the root). */
static void folder_of(const char *rel, char *out, size_t cap) {
  const char *slash = strrchr(rel, '/');
  snprintf(out, cap, "%.*s", slash ? (int)(slash - rel) : 0, rel);
}

/* Resolves an include name to a file of the tree (its relative path in rel);
** angle: only include/ is searched. Returns 0 when nothing matches. */
static int resolve(const char *includer, const char *name, int angle, char *rel, size_t cap) {
  char dir[TEXT], path[PATH_MAX + 3 * TEXT];
  folder_of(includer, dir, sizeof dir);
  const char *bases[] = {dir, "src", "", "cuda", "include"};
  for (size_t i = angle ? 4 : 0; i < sizeof bases / sizeof bases[0]; ++i) {
    snprintf(path, sizeof path, "%s/%s%s%s", root, bases[i], *bases[i] ? "/" : "", name);
    if (is_file(path) && relative(path, rel, cap)) return 1;
  }
  if (angle) return 0;
  /* generated at configure time from a template in a layer's folder (build_info.h) */
  for (int l = 0; l < N_LAYERS; ++l) {
    snprintf(path, sizeof path, "%s/src/%s/%s.in", root, LAYERS[l].name, name);
    if (is_file(path) && relative(path, rel, cap)) return 1;
  }
  return 0;
}

/* ---- the rule -------------------------------------------------------------- */

static int is_private(const char *rel) {
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  const size_t n = strlen(base), k = strlen("_internal.h");
  return n > k && !strcmp(base + n - k, "_internal.h");
}

/* What is wrong with file (layer lf) including `name`, found at `target`: the
** kind, with the reason in why; NULL when the include is allowed. */
static const char *classify(const char *file, int lf, const char *name, const char *target, char *why,
                            size_t cap) {
  char df[TEXT], dt[TEXT];
  const int lt = layer_of(target);
  folder_of(file, df, sizeof df);
  folder_of(target, dt, sizeof dt);
  if (is_private(target) && strcmp(df, dt)) {
    snprintf(why, cap, "\"%s\" is %s, private to %s/; include it only from there", name, target, dt);
    return "private";
  }
  if (lt < 0) {
    snprintf(why, cap, "\"%s\" is %s, which has no layer", name, target);
    return "unplaced";
  }
  if (lf == PUBLIC && lt != PUBLIC) {
    snprintf(why, cap, "\"%s\" is %s (%s): a public header includes only include/", name, target, LAYERS[lt].name);
    return "public";
  }
  if (lt == lf || LAYERS[lt].level < LAYERS[lf].level) return NULL;
  const int peer = LAYERS[lt].level == LAYERS[lf].level;
  snprintf(why, cap, "%s (%s) includes \"%s\" = %s (%s)%s", file, LAYERS[lf].name, name, target, LAYERS[lt].name,
           peer ? ": peers, neither includes the other" : ", a layer above it");
  return peer ? "sideways" : "upward";
}

/* The include name on a preprocessor line ("" when the line is no #include). */
static int parse_include(const char *s, char *name, size_t cap, int *angle) {
  while (*s == ' ' || *s == '\t') ++s;
  if (*s++ != '#') return 0;
  while (*s == ' ' || *s == '\t') ++s;
  if (strncmp(s, "include", 7)) return 0;
  s += 7;
  while (*s == ' ' || *s == '\t') ++s;
  const char close = *s == '"' ? '"' : *s == '<' ? '>' : 0;
  const char *end = close ? strchr(s + 1, close) : NULL;
  if (!end) return 0;
  *angle = close == '>';
  snprintf(name, cap, "%.*s", (int)(end - s - 1), s + 1);
  return 1;
}

/* Advances the comment state over one line: 1 when a block comment is open at its end. */
static int comment_state(const char *s, int in_block) {
  for (; *s; ++s) {
    if (in_block) {
      if (s[0] == '*' && s[1] == '/') in_block = 0, ++s;
    } else if (s[0] == '/' && s[1] == '*') {
      in_block = 1, ++s;
    } else if (s[0] == '/' && s[1] == '/') {
      break;
    } else if (*s == '"' || *s == '\'') {
      const char q = *s;
      for (++s; *s && *s != q; ++s)
        if (*s == '\\' && s[1]) ++s;
      if (!*s) break;
    }
  }
  return in_block;
}

static void check_file(const char *path, const char *rel) {
  const int lf = layer_of(rel);
  ++n_files;
  if (lf < 0) {
    violation(rel, 1, "unplaced", "no layer for this file: put it under src/<layer>/, or name it cuda/<layer>_*");
    return;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    violation(rel, 1, "unresolved", "cannot read the file");
    return;
  }
  char text[4096], name[TEXT], target[TEXT], why[6 * TEXT];
  int in_block = 0, angle = 0;
  for (int line = 1; fgets(text, sizeof text, f); ++line) {
    if (!in_block && parse_include(text, name, sizeof name, &angle)) {
      ++n_includes;
      const char *kind = NULL;
      if (resolve(rel, name, angle, target, sizeof target)) kind = classify(rel, lf, name, target, why, sizeof why);
      else if (!angle) kind = "unresolved", snprintf(why, sizeof why, "\"%s\" names no file of the tree", name);
      if (kind) violation(rel, line, kind, why);
    }
    in_block = comment_state(text, in_block);
  }
  fclose(f);
}

static int is_source(const char *name) {
  static const char *const exts[] = {".c", ".h", ".cu", ".cuh", ".cpp", ".hpp"};
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; ++i)
    if (!strcmp(dot, exts[i])) return 1;
  return 0;
}

/* Checks every source file under root/rel_dir, in name order so reports are stable. */
static void walk(const char *rel_dir) {
  char path[PATH_MAX + TEXT], rel[TEXT];
  snprintf(path, sizeof path, "%s/%s", root, rel_dir);
  struct dirent **entries = NULL;
  const int n = scandir(path, &entries, NULL, alphasort);
  for (int i = 0; i < n; ++i) {
    const char *e = entries[i]->d_name;
    struct stat st;
    snprintf(rel, sizeof rel, "%s/%s", rel_dir, e);
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (e[0] != '.' && stat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode)) walk(rel);
      else if (S_ISREG(st.st_mode) && is_source(e)) check_file(path, rel);
    }
    free(entries[i]);
  }
  free(entries);
}

/* ---- expectations ---------------------------------------------------------- */

typedef struct expect {
  char file[TEXT];
  int line;
  char kind[32];
  int seen;
} expect;

/* FILE:LINE:KIND, split from the right (a file name may hold ':'). */
static int parse_expect(const char *arg, expect *e) {
  const char *k = strrchr(arg, ':');
  if (!k || k == arg) return 0;
  const char *l = k - 1;
  while (l > arg && *l != ':') --l;
  if (*l != ':') return 0;
  snprintf(e->file, sizeof e->file, "%.*s", (int)(l - arg), arg);
  e->line = (int)strtol(l + 1, NULL, 10);
  snprintf(e->kind, sizeof e->kind, "%s", k + 1);
  e->seen = 0;
  return e->line > 0 && *e->kind;
}

/* 0 when the reports are exactly the expected ones; says what differs. */
static int compare(expect *ex, int n) {
  int bad = 0;
  for (int r = 0; r < n_reports; ++r) {
    int found = 0;
    for (int i = 0; i < n && !found; ++i)
      if (!strcmp(ex[i].file, reports[r].file) && ex[i].line == reports[r].line && !strcmp(ex[i].kind, reports[r].kind))
        found = ex[i].seen = 1;
    if (!found) printf("UNEXPECTED: %s:%d: %s\n", reports[r].file, reports[r].line, reports[r].kind), bad = 1;
  }
  for (int i = 0; i < n; ++i)
    if (!ex[i].seen) printf("MISSING: %s:%d: %s was expected and not reported\n", ex[i].file, ex[i].line, ex[i].kind), bad = 1;
  return bad;
}

int main(int argc, char **argv) {
  static expect ex[MAX_EXPECT];
  int n_ex = 0;
  if (argc < 2 || !realpath(argv[1], root)) {
    fprintf(stderr, "usage: test_layers ROOT [--expect-violation FILE:LINE:KIND]...\n");
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--expect-violation") || i + 1 == argc || n_ex == MAX_EXPECT ||
        !parse_expect(argv[++i], &ex[n_ex++])) {
      fprintf(stderr, "test_layers: bad argument '%s' (want --expect-violation FILE:LINE:KIND)\n", argv[i]);
      return 2;
    }
  }
  const char *dirs[] = {"src", "cuda", "mpi", "include"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; ++i) walk(dirs[i]);
  printf("%d files, %d includes, %d violations\n", n_files, n_includes, n_reports);
  if (n_includes == 0) {
    printf("FAIL: no #include found under %s: not a source tree\n", root);
    return 1;
  }
  if (n_ex) return compare(ex, n_ex) ? 1 : 0;
  return n_reports ? 1 : 0;
}
