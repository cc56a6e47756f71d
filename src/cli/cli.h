/*
** cli.h: the twinscale command line, the only layer that prints to the user
** and decides exit codes.
**
** Each command lives in its own cmd_<name>.c and is listed in commands.c. A
** command's run() gets the arguments after its name, parses them with its
** option table (options.h), returns the process exit status (0 ok, 2 bad
** input, 1 other failures) and reports errors through tw_cli_fail. A command
** that does not work in this build is not listed: commands.c guards entries
** with the build_info.h flags they need.
*/
#ifndef TW_CLI_H
#define TW_CLI_H

#include "core/status.h" /* tw_status */

typedef struct tw_command {
  const char *group;   /* "config" in "twinscale config check"; NULL for top-level commands */
  const char *name;    /* "check" */
  const char *summary; /* one line for `twinscale --help` */
  const char *usage;   /* the text of `twinscale <command> --help` */
  int (*run)(int argc, char **argv);
} tw_command;

/* The table, terminated by an entry with a NULL name (commands.c). */
extern const tw_command tw_commands[];

/* Prints the current error (message; the trace too when TW_LOG=debug) to stderr
** and returns the exit status for `status`. */
int tw_cli_fail(tw_status status);

/* The pseudonym salt from environment variable `var` (salt.c): TW_ERR_INPUT
** "WHO: ..." when it is unset or shorter than TW_SALT_MIN_BYTES. The value is
** never printed. */
tw_status tw_cli_read_salt(const char *who, const char *var, const char **salt);
/* Prints "twinscale: <message>" for a usage error and returns 2 (options.c). */
int tw_cli_usage_error(const char *fmt, ...) TW_PRINTF(1, 2);
/* True when argv holds -h or --help before any `--` (options.c). */
int tw_cli_wants_help(int argc, char **argv);

/* Commands (one per cmd_*.c). */
int tw_cmd_version(int argc, char **argv);
int tw_cmd_bench_gemm(int argc, char **argv);
int tw_cmd_config_check(int argc, char **argv);
int tw_cmd_bench_nn(int argc, char **argv);
int tw_cmd_bench_gan(int argc, char **argv);
int tw_cmd_simulate(int argc, char **argv);
int tw_cmd_trial(int argc, char **argv);
int tw_cmd_train(int argc, char **argv);
int tw_cmd_evaluate(int argc, char **argv);
int tw_cmd_cohort_generate(int argc, char **argv);
int tw_cmd_cohort_import(int argc, char **argv);
int tw_cmd_bench_physio(int argc, char **argv);
int tw_cmd_nn_forward(int argc, char **argv);
int tw_cmd_nn_grad(int argc, char **argv);
int tw_cmd_nn_init(int argc, char **argv);
int tw_cmd_twin_import(int argc, char **argv);
int tw_cmd_twin_fit(int argc, char **argv);
int tw_cmd_twin_replay(int argc, char **argv);
int tw_cmd_privacy_epsilon(int argc, char **argv);
int tw_cmd_privacy_sigma(int argc, char **argv);
int tw_cmd_gan_report(int argc, char **argv);
int tw_cmd_fed_train(int argc, char **argv);
int tw_cmd_gan_train(int argc, char **argv);
int tw_cmd_gan_sample(int argc, char **argv);
int tw_cmd_gan_baseline(int argc, char **argv);
/* tw-command-declarations: new declarations go above this line */

#endif
