/*
** replay.c: runs LLVMFuzzerTestOneInput on every file of the directories given,
** so that ctest repeats the fuzz corpus (tests/data/fuzz_corpus) with any
** compiler and, in the sanitizer build, under ASan and UBSan. A crash or an
** abort fails the test; an empty or missing corpus fails it too.
*/
#define _POSIX_C_SOURCE 200809L /* fileno, popen, opendir: POSIX, not C17 */

#include <dirent.h> /* opendir, readdir */
#include <stdint.h> /* uint8_t */
#include <stdio.h>  /* fopen, fread, fprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strcmp */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the target; 0 when it could not be read. */
static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  for (size_t n; buf && (n = fread(buf + len, 1, cap - len, f)) > 0;) {
    len += n;
    if (len == cap) {
      uint8_t *bigger = realloc(buf, cap *= 2);
      if (!bigger) free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  if (!buf) return 0;
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 1;
}

int main(int argc, char **argv) {
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    DIR *dir = opendir(argv[i]);
    if (!dir) {
      fprintf(stderr, "replay: cannot open directory %s\n", argv[i]);
      return 1;
    }
    for (struct dirent *e; (e = readdir(dir));) {
      if (e->d_name[0] == '.') continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      if (!replay_file(path)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        closedir(dir);
        return 1;
      }
      files++;
    }
    closedir(dir);
  }
  fprintf(stderr, "replay: %d inputs, no crash\n", files);
  return files > 0 ? 0 : 1;
}
