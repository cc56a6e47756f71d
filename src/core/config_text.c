/*
** config_text.c: text helpers for configs: a growable buffer, numbers in their
** shortest round-trip form, strings written as YAML that reads back as the same
** string, and values quoted safely inside one-line error messages.
*/
#include <stdarg.h> /* va_list for tw_cfg_buf_printf */
#include <stdio.h>  /* snprintf, vsnprintf */
#include <stdlib.h> /* realloc, strtod */
#include <string.h> /* strlen, strchr, memmove */
#include <strings.h> /* strcasecmp */

#include "core/config_tree.h"

void tw_cfg_buf_put(tw_cfg_buf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void tw_cfg_buf_puts(tw_cfg_buf *b, const char *s) { tw_cfg_buf_put(b, s, strlen(s)); }

void tw_cfg_buf_printf(tw_cfg_buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if ((size_t)n < sizeof small) {
    tw_cfg_buf_put(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  tw_cfg_buf_put(b, big, (size_t)n);
  free(big);
}

int tw_cfg_scalar_is_null(const char *text, int quoted) {
  return !quoted && (!*text || !strcmp(text, "~") || !strcmp(text, "null") || !strcmp(text, "Null") ||
                     !strcmp(text, "NULL"));
}

void tw_cfg_format_number(double x, char out[32]) {
  /* %.17g always reads back exactly; fewer digits are nicer to read
  ** (0.1, not 0.10000000000000001) when they also read back exactly. */
  for (int digits = 15; digits <= 17; ++digits) {
    snprintf(out, 32, "%.*g", digits, x);
    if (strtod(out, NULL) == x) break;
  }
  /* "1e+300" is a string to YAML 1.1 readers (PyYAML); "1.0e+300" is a float everywhere. */
  char *e = strchr(out, 'e');
  if (e && !strchr(out, '.')) {
    memmove(e + 2, e, strlen(e) + 1);
    e[0] = '.';
    e[1] = '0';
  }
}

/* The code point of the UTF-8 sequence at s and its length in *n; a broken
** sequence gives its first byte alone (n = 1, cp = -1). */
static long decode_utf8(const unsigned char *s, size_t *n) {
  unsigned c = s[0];
  size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  long cp = len == 1 ? (long)c : len == 2 ? (long)(c & 0x1F) : len == 3 ? (long)(c & 0x0F) : (long)(c & 0x07);
  for (size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) len = 0; /* stops at the NUL terminator too */
    if (!len) break;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (!len) {
    *n = 1;
    return -1;
  }
  *n = len;
  return cp;
}

/* Code points that must be escaped to survive a YAML reader: C0 and C1
** controls, DEL, the line and paragraph separators, the BOM and non-characters. */
static int needs_escape(long cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
         cp == 0xFFFE || cp == 0xFFFF;
}

/* The escaped form of the character at s (n bytes) in a double-quoted YAML
** string, or "" when it may be written as it is. */
static void escape_one(const unsigned char *s, long cp, char esc[16]) {
  esc[0] = '\0';
  if (cp == '"') strcpy(esc, "\\\"");
  else if (cp == '\\') strcpy(esc, "\\\\");
  else if (cp == '\n') strcpy(esc, "\\n");
  else if (cp == '\t') strcpy(esc, "\\t");
  else if (cp < 0) snprintf(esc, 16, "\\x%02x", s[0]); /* not UTF-8: cannot round-trip */
  else if (needs_escape(cp)) snprintf(esc, 16, cp < 0x100 ? "\\x%02lx" : "\\u%04lx", cp);
}

static void put_escaped(tw_cfg_buf *b, const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    size_t n;
    long cp = decode_utf8((const unsigned char *)s + i, &n);
    char esc[16];
    escape_one((const unsigned char *)s + i, cp, esc);
    if (esc[0]) tw_cfg_buf_puts(b, esc);
    else tw_cfg_buf_put(b, s + i, n);
    i += n;
  }
}

/* True when `s` can be written plain and every YAML reader (1.1 or 1.2) reads
** it back as this same string. Deliberately narrow: anything else is quoted. */
static int plain_is_safe(const char *s) {
  static const char *const words[] = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"};
  if (!*s) return 0;
  char c0 = s[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_' || c0 == '/')) return 0;
  for (size_t i = 0; i < TW_ARRAY_LEN(words); ++i)
    if (!strcasecmp(s, words[i])) return 0;
  for (const char *p = s; *p; ++p) {
    char c = *p;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_./+@-", c) ||
             (c == ' ' && p[1] && p[1] != ' ' && p[1] != '#') || (c == '#' && p[-1] != ' ');
    if (!ok) return 0;
  }
  return 1;
}

void tw_cfg_buf_put_string(tw_cfg_buf *b, const char *s) {
  if (plain_is_safe(s)) {
    tw_cfg_buf_puts(b, s);
    return;
  }
  tw_cfg_buf_put(b, "\"", 1);
  put_escaped(b, s, strlen(s));
  tw_cfg_buf_put(b, "\"", 1);
}

void tw_cfg_quote_for_message(const char *text, size_t len, char out[128]) {
  enum { SHOW_CHARS = 48, ROOM = 128 - 8 }; /* room left for the quotes and "..." */
  const unsigned char *u = (const unsigned char *)text;
  size_t used = 0, i = 0;
  out[used++] = '\'';
  for (int shown = 0; i < len && shown < SHOW_CHARS; ++shown) {
    size_t n;
    long cp = decode_utf8(u + i, &n);
    if (i + n > len) n = len - i, cp = -1;
    char esc[16];
    escape_one(u + i, cp, esc);
    size_t w = esc[0] ? strlen(esc) : n;
    if (used + w > ROOM) break;
    memcpy(out + used, esc[0] ? esc : text + i, w);
    used += w;
    i += n;
  }
  if (i < len) {
    memcpy(out + used, "...", 3);
    used += 3;
  }
  out[used++] = '\'';
  out[used] = '\0';
}
