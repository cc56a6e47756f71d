/*
** main.c: `twinscale <command> [args]`: finds the command in the table and runs it.
**
** Commands are one word ("version") or a group and a word ("config check");
** `twinscale --help` lists them, `twinscale <command> --help` shows one (-h or
** --help anywhere before a `--`; tw_cli_wants_help in options.c). Everything
** else on the line is the command's to parse, through its option table
** (options.h).
**
** SIGXFSZ is ignored: a write past the file-size limit (`ulimit -f`, a quota
** of that kind) then fails with EFBIG and comes back as an error naming the
** file, with the partial file removed, instead of killing the process.
*/
#define _POSIX_C_SOURCE 200809L /* SIGXFSZ */
#include <signal.h> /* signal, SIGXFSZ */
#include <stdio.h>  /* printf, fprintf */
#include <string.h> /* strcmp */

#include "cli/cli.h"
#include "core/log.h" /* tw_log_enabled for the error trace */

int tw_cli_fail(tw_status status) {
  const char *msg = tw_error_message();
  fprintf(stderr, "%s\n", *msg ? msg : tw_status_name(status));
  if (tw_log_enabled(TW_LOG_DEBUG)) fprintf(stderr, "  trace: %s\n", tw_error_trace_string());
  return tw_status_exit_code(status);
}

static void print_help(void) {
  printf("twinscale: cohort-scale simulation of personal digital twins\n\n"
         "usage: twinscale <command> [options]\n\ncommands:\n");
  for (const tw_command *c = tw_commands; c->name; ++c) {
    char full[64];
    snprintf(full, sizeof full, "%s%s%s", c->group ? c->group : "", c->group ? " " : "", c->name);
    printf("  %-18s %s\n", full, c->summary);
  }
  printf("\n`twinscale <command> --help` describes one command.\n"
         "Environment: TW_LOG=debug|info|warn|error sets the log level (default info);\n"
         "OPENBLAS_CORETYPE=NAME picks OpenBLAS's kernels (default Haswell's on x86-64 with AVX2 and FMA,\n"
         "the same bits on every such CPU), TW_BLAS_PIN=0 leaves the choice to OpenBLAS.\n");
}

/* Lists the commands of `group` for `twinscale <group>` without a subcommand. */
static int print_group(const char *group, FILE *out) {
  int found = 0;
  for (const tw_command *c = tw_commands; c->name; ++c) {
    if (!c->group || strcmp(c->group, group)) continue;
    if (!found) fprintf(out, "usage: twinscale %s <command>\n\ncommands:\n", group);
    fprintf(out, "  %-12s %s\n", c->name, c->summary);
    found = 1;
  }
  return found;
}

int main(int argc, char **argv) {
  signal(SIGXFSZ, SIG_IGN);
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  for (const tw_command *c = tw_commands; c->name; ++c) {
    int grouped = c->group != NULL;
    if (strcmp(argv[1], grouped ? c->group : c->name)) continue;
    if (grouped && (argc < 3 || strcmp(argv[2], c->name))) continue;
    int first = grouped ? 3 : 2;
    if (tw_cli_wants_help(argc - first, argv + first)) {
      fputs(c->usage, stdout);
      return 0;
    }
    return c->run(argc - first, argv + first);
  }
  if (argc >= 2) {
    int wants_help = argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
    if (argc == 2 || wants_help) {
      if (print_group(argv[1], wants_help ? stdout : stderr)) return wants_help ? 0 : 2;
    } else if (print_group(argv[1], stderr)) {
      return tw_cli_usage_error("unknown '%s' command '%s'", argv[1], argv[2]);
    }
  }
  return tw_cli_usage_error("unknown command '%s' (see twinscale --help)", argv[1]);
}
