/*
** run_signal.c: SIGINT, SIGTERM and SIGUSR1 during a run (run.h). SIGUSR1 is
** what Slurm sends ahead of a time limit (`--signal=B:USR1@120`).
**
** The handler only records the signal; the run loop looks at the record between
** blocks, where every rank can agree to stop and keep the partial results file
** for --resume (run.h). SIGINT's handler is installed with SA_RESETHAND: a second
** Ctrl-C while the run winds down kills the process at once, as a user who
** presses it twice expects (the `.partial` file may then stay behind; its name
** says what it is). SIGTERM and SIGUSR1 stay caught: Slurm may deliver them
** twice (to the batch script's trap, which forwards them, and to the ranks
** directly with `scancel --full`), and a second one must not kill a rank that
** is writing its checkpoint.
*/
#define _XOPEN_SOURCE 700 /* sigaction with SA_RESETHAND, SA_RESTART: POSIX, not C17 */
#include "run/run.h"

#include <signal.h> /* sigaction */
#include <string.h> /* memset */

static volatile sig_atomic_t caught;
static struct sigaction previous[3];
static const int signals[3] = {SIGINT, SIGTERM, SIGUSR1};

static void on_signal(int sig) { caught = sig; }

void tw_run_signals_catch(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  caught = 0;
  for (int i = 0; i < 3; ++i) {
    sa.sa_flags = SA_RESTART | (signals[i] == SIGINT ? SA_RESETHAND : 0);
    sigaction(signals[i], &sa, &previous[i]);
  }
}

void tw_run_signals_restore(void) {
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &previous[i], NULL);
}

int tw_run_signal_caught(void) { return (int)caught; }

int tw_run_stop_now(void) { return caught == SIGINT || caught == SIGTERM; }
