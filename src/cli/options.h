/*
** options.h: the one option parser of every twinscale command.
**
** A command describes its options as a table and gets its positional
** arguments back; the parser accepts `--name VALUE`, `--name=VALUE`, `-x VALUE`
** and `--` (the end of options), in any order with the positional arguments,
** and checks every value where it is read: a number must be all number and in
** range ("--twins 12x" is an error naming the option), a word must be one of the
** option's choices, a repeated option that is not a list is an error, and an
** option marked required must be there. Every error is one line ("twinscale:
** <cmd>: ...") and exit status 2. In the `--name VALUE` form a VALUE that starts
** with "--" is taken for a forgotten value ("--output --force"): write
** `--name=--odd` for such a value.
**
** Commands that read a config share three options through TW_CONFIG_OPTIONS:
** `--set KEY=VALUE` (repeatable, dotted keys, checked like the file), `-o PATH`
** (the results file; the same as --set output.path=PATH) and `--force` (replace
** a results file even when it is not writable). tw_config_load and tw_config_apply
** (config_kinds.h) apply the first two; the run engine honours --force.
**
** `-h` and `--help` are not in any table: main.c answers them (cli.h,
** tw_cli_wants_help) before the command runs.
*/
#ifndef TW_CLI_OPTIONS_H
#define TW_CLI_OPTIONS_H

#include "core/defs.h" /* int64_t */

typedef enum tw_opt_kind {
  TW_OPT_FLAG,   /* int, set to 1 */
  TW_OPT_STRING, /* const char *, pointing into argv */
  TW_OPT_INT,    /* int64_t in [min, max] */
  TW_OPT_NUMBER, /* double in [min, max] */
  TW_OPT_LIST,   /* tw_opt_list: every occurrence, in order */
  TW_OPT_CHOICE, /* int: the index in `choices` of the word given */
  TW_OPT_INTS    /* tw_opt_ints: "1024,8192": whole numbers in [min, max], comma-separated */
} tw_opt_kind;

enum { TW_OPT_LIST_MAX = 64, TW_OPT_INTS_MAX = 16, TW_OPTS_MAX = 64 };

typedef struct tw_opt_list {
  const char *items[TW_OPT_LIST_MAX];
  int n;
} tw_opt_list;

typedef struct tw_opt_ints {
  int64_t v[TW_OPT_INTS_MAX];
  int n;
} tw_opt_ints;

/* One option. Tables are written with designated initialisers:
**   {.name = "twins", .kind = TW_OPT_INT, .dest = &twins, .min = 1, .max = 1e6}
** A dest keeps its value (the default) when the option is absent. */
typedef struct tw_opt {
  const char *name;  /* "twins" for --twins */
  char short_name;   /* 'o' for -o, 0 for none */
  tw_opt_kind kind;
  void *dest;
  double min, max;   /* TW_OPT_INT, TW_OPT_NUMBER, TW_OPT_INTS */
  const char *const *choices; /* TW_OPT_CHOICE: the words, NULL-terminated */
  int required;      /* nonzero: absent is an error */
} tw_opt;

/* The backend choices of the commands that take --backend (index into these). */
extern const char *const tw_opt_backends[];     /* auto, cpu, cuda */
extern const char *const tw_opt_backends_cpu_cuda[]; /* cpu, cuda: the benchmarks of one device */

/* The options every config-reading command has. */
typedef struct tw_config_opts {
  tw_opt_list set;
  const char *output;
  int force;
  int resume;  /* --resume, for the commands that take it (train) */
} tw_config_opts;

#define TW_CONFIG_OPTIONS(co)                                   \
  {"set", 0, TW_OPT_LIST, &(co).set, 0, 0, NULL, 0},            \
  {"output", 'o', TW_OPT_STRING, &(co).output, 0, 0, NULL, 0},  \
  {"force", 0, TW_OPT_FLAG, &(co).force, 0, 0, NULL, 0}

/* Parses argv (the arguments after the command's name) against `opts`
** (n_opts entries, at most TW_OPTS_MAX). Positional arguments go to pos
** (between min_pos and max_pos of them, else an error naming `pos_name`, "the
** CONFIG file"; pos may be NULL when max_pos is 0). Returns 0, or 2 after
** printing the error ("twinscale: <cmd>: ..."). */
int tw_opts_parse(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv, const char *pos_name,
                  const char **pos, int min_pos, int max_pos, int *n_pos);

/* tw_opts_parse for a command that takes no positional argument. */
int tw_opts_parse_named(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv);

#endif
