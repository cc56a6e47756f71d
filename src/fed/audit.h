/*
** audit.h: the federation's communication log (docs/federated.md, "Audit").
**
** Every message between sites goes through fed.c's send and receive, which
** record it here: one JSON line per message in <folder>/<site>.jsonl,
**   {"round": 3, "from": "adults", "to": "children", "kind": "masked_update", "bytes": 421896, "dir": "send"}
** written by the sending and by the receiving site's leader (dir "send" or
** "recv"), round -1 for the set-up. With payloads on, the sender also keeps the
** message's bytes as <folder>/payloads/r<round>-<from>-<to>-<kind>.bin, so an
** audit (tests/fed) can scan exactly what crossed between sites.
*/
#ifndef TW_FED_AUDIT_H
#define TW_FED_AUDIT_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */
#include <stdio.h>  /* FILE */

#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef struct tw_audit {
  FILE *log;
  char folder[4096];
  int payloads;
  int64_t bytes_sent, bytes_received; /* over the run */
} tw_audit;

/* Creates the folder (and payloads/) when missing; opens <folder>/<site>.jsonl,
** appending when `append` (a resumed run), else replacing it. */
tw_status tw_audit_open(tw_audit *a, const char *folder, const char *site, int payloads, int append);
/* One message of `bytes` bytes; `sent`: this site sent it, else received it. */
tw_status tw_audit_record(tw_audit *a, int64_t round, const char *from, const char *to, const char *kind,
                          const void *buf, size_t bytes, int sent);
tw_status tw_audit_close(tw_audit *a);

TW_EXTERN_C_END

#endif
