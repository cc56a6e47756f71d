/*
** progress.c: the progress reporter behind progress.h.
**
** Terminal redraws are limited to 10 per second so that a fast loop spends its
** time computing, not printing.
*/
#define _POSIX_C_SOURCE 200809L /* fileno, isatty */
#include "core/progress.h"

#include <stdio.h>  /* fprintf, snprintf */
#include <unistd.h> /* isatty */

#include "core/clock.h" /* tw_now_seconds */
#include "core/log.h"   /* tw_log_enabled, TW_INFO */

void tw_progress_begin(tw_progress *p, const char *what, const char *unit, int64_t total) {
  p->what = what;
  p->unit = unit;
  p->total = total;
  p->done = 0;
  p->start = p->last_draw = tw_now_seconds();
  p->on_terminal = isatty(fileno(stderr));
  p->enabled = tw_log_enabled(TW_LOG_INFO);
}

void tw_progress_format(const tw_progress *p, double now, char *buf, size_t cap) {
  enum { BAR = 24 };
  double elapsed = now - p->start;
  double rate = elapsed > 0 ? (double)p->done / elapsed : 0.0;
  double frac = p->total > 0 ? (double)p->done / (double)p->total : 1.0;
  char bar[BAR + 1];
  int filled = (int)(frac * BAR + 0.5);
  for (int i = 0; i < BAR; ++i) bar[i] = i < filled ? '#' : ' ';
  bar[BAR] = '\0';
  char eta[32] = "--";
  if (rate > 0 && p->done < p->total) snprintf(eta, sizeof eta, "%.0fs", (double)(p->total - p->done) / rate);
  if (p->done >= p->total) snprintf(eta, sizeof eta, "done in %.1fs", elapsed);
  snprintf(buf, cap, "%s [%s] %lld/%lld %s  %.0f %s/s  ETA %s", p->what, bar, (long long)p->done,
           (long long)p->total, p->unit, rate, p->unit, eta);
}

static void draw(tw_progress *p, double now, int final) {
  char line[256];
  tw_progress_format(p, now, line, sizeof line);
  if (p->on_terminal)
    fprintf(stderr, "\r%s%s", line, final ? "\n" : "");
  else
    TW_INFO("%s", line);
  p->last_draw = now;
}

void tw_progress_update(tw_progress *p, int64_t done) {
  p->done = done;
  if (!p->enabled) return;
  double now = tw_now_seconds();
  double interval = p->on_terminal ? 0.1 : TW_PROGRESS_LOG_SECONDS;
  if (now - p->last_draw >= interval) draw(p, now, 0);
}

void tw_progress_end(tw_progress *p) {
  if (p->enabled) draw(p, tw_now_seconds(), 1);
}
