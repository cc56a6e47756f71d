/*
** run_record.c: the record of a run's finished chunks (run.h "Checkpoints").
**
** After every round the ranks flush the results file and rank 0 writes which
** chunks are finished to "<output>.resume": a few lines of text, written to a
** temporary file, synced and renamed over the record, so that the record is
** always one whole version and never names a chunk whose rows are not yet in
** the file. --resume reads it back and checks it belongs to this run: the
** same job, the same twinscale (version and commit), the same config text
** (by its FNV-1a hash; the partial file's own config attribute is checked too,
** in tw_h5_reopen), the same cohort size and chunking.
**
**   twinscale-run-record 1
**   version 0.6.0 1a2b3c4
**   job trial
**   config 9f0e...                  FNV-1a 64 of the config text
**   twins 1000000
**   chunk 1024
**   done 1110100...                 one character per chunk, 1: in the file
*/
#define _POSIX_C_SOURCE 200809L /* fileno, fsync */
#include "run/run_record.h"

#include <errno.h>  /* errno */
#include <stdio.h>  /* fopen, rename */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strcmp, strerror */
#include <unistd.h> /* fsync */

#include "build_info.h" /* TW_VERSION_STRING */
#include "git_commit.h" /* TW_GIT_COMMIT */

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; s && *s; ++s) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

void tw_run_record_path(const char *output, char *out, size_t cap) { snprintf(out, cap, "%s.resume", output); }

tw_status tw_run_record_write(const char *path, const tw_run_record *r) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return TW_FAIL(TW_ERR_IO, "%s: cannot write the run record: %s", tmp, strerror(errno));
  fprintf(f, "twinscale-run-record 1\nversion %s %s\njob %s\nconfig %016llx\ntwins %lld\nchunk %lld\ndone ",
          TW_VERSION_STRING, TW_GIT_COMMIT, r->job, (unsigned long long)fnv1a(r->config_text), (long long)r->n_twins,
          (long long)r->chunk);
  fwrite(r->done, 1, (size_t)r->n_chunks, f);
  fputc('\n', f);
  const int bad = fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f);
  if (fclose(f) != 0 || bad) {
    remove(tmp);
    return TW_FAIL(TW_ERR_IO, "%s: writing the run record failed (disk full?)", tmp);
  }
  if (rename(tmp, path) != 0) return TW_FAIL(TW_ERR_IO, "%s: cannot rename the run record into place: %s", path, strerror(errno));
  return TW_OK;
}

/* The value after `key ` on the next line, into buf. */
static int line(FILE *f, const char *key, char *buf, size_t cap) {
  char fmt[32];
  if (!fgets(buf, (int)cap, f) || !strchr(buf, '\n')) return 0; /* a line cut short: damaged */
  buf[strcspn(buf, "\n")] = 0;
  snprintf(fmt, sizeof fmt, "%s ", key);
  const size_t k = strlen(fmt);
  if (strncmp(buf, fmt, k)) return 0;
  memmove(buf, buf + k, strlen(buf + k) + 1);
  return 1;
}

static tw_status corrupt(const char *path, const char *what) {
  return TW_FAIL(TW_ERR_INPUT, "%s: not a run record twinscale can read (%s); remove it and the .partial file to start "
                 "again", path, what);
}

/* The lines of a record file, checked against the run `want`. */
static tw_status parse(FILE *f, const char *path, const tw_run_record *want, char *done) {
  char buf[4200], expect[600];
  if (!fgets(buf, sizeof buf, f) || strcmp(buf, "twinscale-run-record 1\n")) return corrupt(path, "first line");
  if (!line(f, "version", buf, sizeof buf)) return corrupt(path, "version");
  snprintf(expect, sizeof expect, "%s %s", TW_VERSION_STRING, TW_GIT_COMMIT);
  if (strcmp(buf, expect))
    return TW_FAIL(TW_ERR_INPUT, "%s: written by twinscale %s, this is %s: a stopped run goes on with the twinscale "
                   "that started it", path, buf, expect);
  if (!line(f, "job", buf, sizeof buf)) return corrupt(path, "job");
  if (strcmp(buf, want->job)) return TW_FAIL(TW_ERR_INPUT, "%s: the record of a %s run, not of a %s run", path, buf, want->job);
  if (!line(f, "config", buf, sizeof buf)) return corrupt(path, "config");
  snprintf(expect, sizeof expect, "%016llx", (unsigned long long)fnv1a(want->config_text));
  if (strcmp(buf, expect)) return TW_FAIL(TW_ERR_INPUT, "%s: written by another config: cannot go on with this one", path);
  long long twins, chunk;
  if (!line(f, "twins", buf, sizeof buf) || sscanf(buf, "%lld", &twins) != 1) return corrupt(path, "twins");
  if (!line(f, "chunk", buf, sizeof buf) || sscanf(buf, "%lld", &chunk) != 1) return corrupt(path, "chunk");
  if (twins != want->n_twins || chunk != want->chunk)
    return TW_FAIL(TW_ERR_INPUT, "%s: %lld twins in chunks of %lld, this run has %lld in chunks of %lld", path, twins,
                   chunk, (long long)want->n_twins, (long long)want->chunk);
  if (fread(buf, 1, 5, f) != 5 || strncmp(buf, "done ", 5)) return corrupt(path, "done");
  if (fread(done, 1, (size_t)want->n_chunks, f) != (size_t)want->n_chunks || fgetc(f) != '\n')
    return corrupt(path, "done: too short");
  for (int64_t c = 0; c < want->n_chunks; ++c)
    if (done[c] != '0' && done[c] != '1') return corrupt(path, "done: not 0 and 1");
  return TW_OK;
}

tw_status tw_run_record_read(const char *path, const tw_run_record *want, char *done, int *found) {
  *found = 0;
  FILE *f = fopen(path, "r");
  if (!f) {
    if (errno == ENOENT) return TW_OK;
    return TW_FAIL(TW_ERR_IO, "%s: cannot read the run record: %s", path, strerror(errno));
  }
  const tw_status st = parse(f, path, want, done);
  fclose(f);
  *found = st == TW_OK;
  return st;
}
