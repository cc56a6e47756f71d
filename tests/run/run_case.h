/*
** run_case.h: what the run engine's tests share: running the twinscale binary
** (or mpiexec) through the shell with its stderr captured, and comparing two
** results files dataset by dataset, bit for bit.
*/
#ifndef TW_TEST_RUN_CASE_H
#define TW_TEST_RUN_CASE_H

#include <stddef.h> /* size_t */

/* A fresh directory under the build tree for this test's files. */
const char *run_case_dir(const char *name);
/* Runs `cmd` (a shell command line) in the case directory with stderr to a
** file whose text goes to err; returns the exit status (-1 when killed). */
int run_case_shell(const char *cmd, char *err, size_t cap);
/* Runs `twinscale ARGS` of this build tree under `timeout SECONDS`, stdout
** discarded, as run_case_shell. */
int run_case_twinscale(int seconds, const char *args, char *err, size_t cap);
/* True when the file exists. */
int run_case_exists(const char *path);
/* Every dataset the simulate job writes for the t1d pack with a CGM
** (/twins/name, /time_min, /trajectories/<obs>, /summary/<obs>/{mean,min,max},
** /status/flag, /status/fail_minute) is in both files and bit-identical;
** prints the first difference. */
int run_case_same_results(const char *a, const char *b);

#endif
