/*
** options.h: the one option parser of every twinscale command.
**
** A command describes its options as a table and gets its positional
** arguments back; the parser accepts `--name VALUE`, `--name=VALUE`, `-x VALUE`
** and `--` (the end of options), in any order with the positional arguments,
** and checks every value where it is read: a number must be all number and in
** range ("--twins 12x" is an error naming the option), a repeated option that is
** not a list is an error. Every error is one line and exit status 2.
**
** Commands that read a config share three options through TW_CONFIG_OPTIONS:
** `--set KEY=VALUE` (repeatable, dotted keys, checked like the file), `-o PATH`
** (the results file; the same as --set output.path=PATH) and `--force` (replace
** a results file even when it is not writable). tw_cli_load_config applies them.
*/
#ifndef TW_CLI_OPTIONS_H
#define TW_CLI_OPTIONS_H

#include "core/defs.h" /* int64_t */

typedef enum tw_opt_kind {
  TW_OPT_FLAG,   /* int, set to 1 */
  TW_OPT_STRING, /* const char *, pointing into argv */
  TW_OPT_INT,    /* int64_t in [min, max] */
  TW_OPT_NUMBER, /* double in [min, max] */
  TW_OPT_LIST    /* tw_opt_list: every occurrence, in order */
} tw_opt_kind;

enum { TW_OPT_LIST_MAX = 64 };

typedef struct tw_opt_list {
  const char *items[TW_OPT_LIST_MAX];
  int n;
} tw_opt_list;

typedef struct tw_opt {
  const char *name;  /* "twins" for --twins */
  char short_name;   /* 'o' for -o, 0 for none */
  tw_opt_kind kind;
  void *dest;
  double min, max;   /* TW_OPT_INT, TW_OPT_NUMBER */
} tw_opt;

/* The options every config-reading command has. */
typedef struct tw_config_opts {
  tw_opt_list set;
  const char *output;
  int force;
} tw_config_opts;

#define TW_CONFIG_OPTIONS(co)                                   \
  {"set", 0, TW_OPT_LIST, &(co).set, 0, 0},                     \
  {"output", 'o', TW_OPT_STRING, &(co).output, 0, 0},           \
  {"force", 0, TW_OPT_FLAG, &(co).force, 0, 0}

/* Parses argv (the arguments after the command's name) against `opts`
** (n_opts entries). Positional arguments go to pos (between min_pos and
** max_pos of them, else an error naming `pos_name`, "the CONFIG file").
** Returns 0, or 2 after printing the error ("twinscale <cmd>: ..."). */
int tw_opts_parse(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv, const char *pos_name,
                  const char **pos, int min_pos, int max_pos, int *n_pos);

#endif
