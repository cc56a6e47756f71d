/*
** run_signal.c: SIGINT, SIGTERM and SIGUSR1 during a run (run.h). SIGUSR1 is
** what Slurm sends ahead of a time limit (`--signal=B:USR1@120`).
**
** The handler only records the signal; the run loop looks at the record between
** blocks, where every rank can agree to stop and the partial results file can
** be removed. The handlers are installed with SA_RESETHAND: a second Ctrl-C
** while the run winds down kills the process at once, as a user who presses it
** twice expects (the `.partial` file may then stay behind; its name says what
** it is).
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
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  caught = 0;
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &sa, &previous[i]);
}

void tw_run_signals_restore(void) {
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &previous[i], NULL);
}

int tw_run_signal_caught(void) { return (int)caught; }
