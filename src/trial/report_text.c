/*
** report_text.c: the text helpers of report.html: HTML escaping, ids, numbers
** for a reader, arm colours (report_internal.h).
**
** Everything that comes from the user (the config text, arm, endpoint and
** pack names, paths) goes through tw_rep_esc: the report shows the text, it
** never lets it become markup. Numbers are shown to about three significant
** digits; the full precision is in summary.json.
*/
#include <math.h>
#include <stdio.h>

#include "trial/report_internal.h"

static const char *entity(char c) {
  switch (c) {
  case '&': return "&amp;";
  case '<': return "&lt;";
  case '>': return "&gt;";
  case '"': return "&quot;";
  case '\'': return "&#39;";
  default: return NULL;
  }
}

void tw_rep_esc(FILE *f, const char *s) {
  if (!s) {
    fputs("&#8211;", f);
    return;
  }
  for (; *s; s++) {
    const char *e = entity(*s);
    if (e) fputs(e, f);
    else fputc(*s, f);
  }
}

void tw_rep_id(FILE *f, const char *s) {
  for (; s && *s; s++) {
    const char c = *s;
    const int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    fputc(keep ? c : '_', f);
  }
}

const char *tw_rep_num(double x, char *out) {
  const double ax = fabs(x);
  if (isnan(x)) snprintf(out, 32, "&#8211;");
  else if (isinf(x)) snprintf(out, 32, "%s", x > 0 ? "inf" : "-inf");
  else if (ax == 0) snprintf(out, 32, "0");
  else if (ax >= 1e5 || ax < 1e-3) snprintf(out, 32, "%.3g", x);
  else snprintf(out, 32, "%.*f", (int)fmax(0, 2 - floor(log10(ax))), x);
  return out;
}

const char *tw_rep_p(double p, char *out) {
  if (p == 0) snprintf(out, 32, "&lt; 1e-300");
  else if (isnan(p)) snprintf(out, 32, "&#8211;");
  else snprintf(out, 32, "%.3g", p);
  return out;
}

void tw_rep_td_num(FILE *f, double x) {
  char b[32];
  fprintf(f, "<td>%s</td>", tw_rep_num(x, b));
}

void tw_rep_td_ne(FILE *f, tw_stat_est e, int colspan) {
  fprintf(f, "<td class=\"ne\" colspan=\"%d\">", colspan);
  tw_rep_esc(f, tw_stat_est_text(e));
  fputs("</td>", f);
}

const char *tw_rep_color(int a) {
  /* Okabe and Ito's palette, readable with every common colour blindness. */
  static const char *const colors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                       "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return colors[(unsigned)a % (sizeof colors / sizeof *colors)];
}

const char *tw_rep_level(const tw_trial_data *d, char *out) {
  snprintf(out, 16, "%.3g", 100 * d->level);
  return out;
}
