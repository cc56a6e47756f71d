/*
** pack_cli.h: what the pack-library tests share: a scratch directory, a config
** written there from text or from a template, and `twinscale simulate` run on
** it with its exit status and stderr kept. Header-only (static functions); the
** including test defines _POSIX_C_SOURCE (mkdtemp) before its first include.
*/
#ifndef TW_TESTS_PACK_CLI_H
#define TW_TESTS_PACK_CLI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h> /* WEXITSTATUS */

static char pc_dir[512];

/* A fresh scratch directory under the build tree; 0 on failure. */
static inline int pc_make_dir(const char *tag) {
  snprintf(pc_dir, sizeof pc_dir, "%s/%s_XXXXXX", TW_BINARY_DIR, tag);
  return mkdtemp(pc_dir) != NULL;
}

/* Writes `text` to path; 0 on failure. */
static inline int pc_write(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return 0;
  fputs(text, f);
  return fclose(f) == 0;
}

/* The file's text (malloc'd, NUL-terminated) or NULL. */
static inline char *pc_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = calloc(1, 1 << 20);
  size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
  fclose(f);
  if (buf) buf[n] = '\0';
  return buf;
}

/* Copies `tmpl` replacing each "@KEY@" of keys[] by vals[] (n pairs). */
static inline void pc_fill(const char *tmpl, const char *const *keys, const char *const *vals, int n, char *out, size_t cap) {
  size_t len = 0;
  for (const char *s = tmpl; *s && len + 1 < cap;) {
    int hit = -1;
    for (int k = 0; k < n && hit < 0; ++k)
      if (strncmp(s, keys[k], strlen(keys[k])) == 0) hit = k;
    if (hit < 0) {
      out[len++] = *s++;
      continue;
    }
    len += (size_t)snprintf(out + len, cap - len, "%s", vals[hit]);
    s += strlen(keys[hit]);
  }
  out[len < cap ? len : cap - 1] = '\0';
}

/* Runs `twinscale simulate CONFIG` in directory `cwd`; returns the exit status
** and leaves stderr in err. Leak checking is off for the child (Open MPI keeps
** allocations from MPI_Init until exit; see test_simulate_cli.c). */
static inline int pc_simulate(const char *cwd, const char *config, char *err, size_t cap) {
  char cmd[4096], errpath[1024];
  snprintf(errpath, sizeof errpath, "%s/simulate.err", pc_dir);
  snprintf(cmd, sizeof cmd,
           "cd '%s' && ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" '%s/twinscale' simulate '%s' "
           "> /dev/null 2> '%s'", cwd, TW_BINARY_DIR, config, errpath);
  const int rc = system(cmd);
  char *text = pc_slurp(errpath);
  snprintf(err, cap, "%s", text ? text : "");
  free(text);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

#endif
