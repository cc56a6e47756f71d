/*
** config.c: the two small pieces of the config API that every other part uses:
** errors that point into the file, and the edit distance behind "did you mean".
*/
#include <stdarg.h> /* va_list for tw_cfg_error_at */
#include <stdio.h>  /* vsnprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strlen */

#include "core/config_tree.h"

tw_status tw_cfg_error_at(const tw_cfg_doc *doc, tw_cfg_mark mark, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* Mark {0, 0}: the value came from a default, there is no place to point at. */
  if (mark.line > 0) return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: %s", doc->path, mark.line, mark.col, msg);
  const char *set = tw_cfg_set_text(doc, mark);
  if (set) return TW_FAIL(TW_ERR_INPUT, "%s: --set %s: %s", doc->path, set, msg);
  return TW_FAIL(TW_ERR_INPUT, "%s: %s", doc->path, msg);
}

/* Levenshtein distance with one row of the table (O(len(b)) memory). Inputs of
** any length work; callers keep them short (keys), as the time is O(len(a) * len(b)). */
int tw_cfg_edit_distance(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  int small[64];
  int *row = nb + 1 <= TW_ARRAY_LEN(small) ? small : malloc((nb + 1) * sizeof *row);
  if (!row) return (int)TW_MAX(na, nb); /* no memory: the distance is at most this */
  for (size_t j = 0; j <= nb; ++j) row[j] = (int)j;
  for (size_t i = 1; i <= na; ++i) {
    int diagonal = row[0]; /* table[i-1][j-1] */
    row[0] = (int)i;
    for (size_t j = 1; j <= nb; ++j) {
      int above = row[j]; /* table[i-1][j] */
      int best = diagonal + (a[i - 1] != b[j - 1]);
      best = TW_MIN(best, above + 1);
      best = TW_MIN(best, row[j - 1] + 1);
      row[j] = best;
      diagonal = above;
    }
  }
  int d = row[nb];
  if (row != small) free(row);
  return d;
}
