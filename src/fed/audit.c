/*
** audit.c: the communication log of the federation (audit.h). Lines are
** flushed as they are written, so a killed run's log holds every message up to
** the kill.
*/
#include "fed/audit.h"

#include <errno.h>    /* errno, EEXIST */
#include <string.h>   /* memset, strerror */
#include <sys/stat.h> /* mkdir */

static tw_status make_folder(const char *path) {
  if (mkdir(path, 0777) == 0 || errno == EEXIST) return TW_OK;
  return TW_FAIL(TW_ERR_IO, "%s: cannot create the audit folder: %s", path, strerror(errno));
}

tw_status tw_audit_open(tw_audit *a, const char *folder, const char *site, int payloads, int append) {
  memset(a, 0, sizeof *a);
  snprintf(a->folder, sizeof a->folder, "%s", folder);
  a->payloads = payloads;
  TW_TRY(make_folder(folder));
  char path[4200];
  if (payloads) {
    snprintf(path, sizeof path, "%s/payloads", folder);
    TW_TRY(make_folder(path));
  }
  snprintf(path, sizeof path, "%s/%s.jsonl", folder, site);
  if (!(a->log = fopen(path, append ? "a" : "w")))
    return TW_FAIL(TW_ERR_IO, "%s: cannot write the communication log: %s", path, strerror(errno));
  return TW_OK;
}

static tw_status keep_payload(const tw_audit *a, int64_t round, const char *from, const char *to, const char *kind,
                              const void *buf, size_t bytes) {
  char path[4400];
  snprintf(path, sizeof path, "%s/payloads/r%lld-%s-%s-%s.bin", a->folder, (long long)round, from, to, kind);
  FILE *f = fopen(path, "wb");
  if (!f) return TW_FAIL(TW_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  const size_t put = bytes ? fwrite(buf, 1, bytes, f) : 0;
  if (fclose(f) != 0 || put != bytes) return TW_FAIL(TW_ERR_IO, "%s: write failed", path);
  return TW_OK;
}

tw_status tw_audit_record(tw_audit *a, int64_t round, const char *from, const char *to, const char *kind,
                          const void *buf, size_t bytes, int sent) {
  if (!a->log) return TW_OK;
  *(sent ? &a->bytes_sent : &a->bytes_received) += (int64_t)bytes;
  fprintf(a->log, "{\"round\": %lld, \"from\": \"%s\", \"to\": \"%s\", \"kind\": \"%s\", \"bytes\": %zu, \"dir\": \"%s\"}\n",
          (long long)round, from, to, kind, bytes, sent ? "send" : "recv");
  if (fflush(a->log) != 0) return TW_FAIL(TW_ERR_IO, "%s: writing the communication log failed", a->folder);
  return sent && a->payloads ? keep_payload(a, round, from, to, kind, buf, bytes) : TW_OK;
}

tw_status tw_audit_close(tw_audit *a) {
  if (!a->log) return TW_OK;
  const int rc = fclose(a->log);
  a->log = NULL;
  return rc == 0 ? TW_OK : TW_FAIL(TW_ERR_IO, "%s: closing the communication log failed", a->folder);
}
