/*
** job_command.h: what every command that runs a job on the ranks shares
** (`simulate`, `trial`): `NAME CONFIG [--set K=V]... [-o PATH] [--force]`
** parsed by the one option parser, MPI started and stopped around the job,
** and one rule for the exit status.
*/
#ifndef TW_CLI_JOB_COMMAND_H
#define TW_CLI_JOB_COMMAND_H

#include "cli/options.h" /* tw_config_opts */
#include "mpi/dist.h"    /* tw_dist */

/* Runs the job of config file `config` on `dist`; returns the exit status
** (through tw_cli_job_exit). */
typedef int (*tw_cli_job_fn)(const char *config, const tw_config_opts *co, const tw_dist *dist);

/* Parses argv for command `name`, starts the ranks, runs `job`, stops them. */
int tw_cli_job_command(const char *name, int argc, char **argv, tw_cli_job_fn job);
/* The same, also taking --resume (co->resume). */
int tw_cli_job_command_resumable(const char *name, int argc, char **argv, tw_cli_job_fn job);

/* The exit status every rank returns for a job that ended with `st` (agreed
** over the ranks): 0; 128 + the signal that stopped it (130, 143); else the
** failure's code, its message printed once, by rank 0. */
int tw_cli_job_exit(const tw_dist *dist, tw_status st, int signal);

#endif
