/*
** trial_setup.h: from a bound trial config to what the trial job runs
** (private to src/trial): one simulate setup per arm, the allocation of a
** parallel design, and the endpoint plan, every name checked against the
** pack's observables and the cohort's covariates before any work.
**
** The endpoint plan is a list of groups, each one streaming accumulator of
** endpoints.h over one observable, whose outputs are consecutive endpoints:
**   glucose   tw_endpoints on the glucose observable (bg every minute, or cgm
**             every sensor sample), its fixed endpoints then the user's
**             thresholds on it;
**   obs       tw_obs_acc on another observable: <obs>_mean, <obs>_sd, then the
**             user's thresholds on it;
**   pk        tw_pk_acc on a concentration: cmax_<k>, tmax_<k>, auc_<k>,
**             trough_<k> for every dose interval k = 1..K.
*/
#ifndef TW_TRIAL_SETUP_H
#define TW_TRIAL_SETUP_H

#include "mpi/dist.h"            /* tw_dist: the check shared over the ranks */
#include "physio/sim_setup.h"   /* tw_sim_setup */
#include "trial/endpoints.h"    /* tw_ep_window, tw_ep_threshold */
#include "trial/trial_config.h" /* tw_trial_config */

typedef enum trial_group_kind { TRIAL_GLUCOSE, TRIAL_OBS, TRIAL_PK } trial_group_kind;

typedef struct trial_group {
  int kind;             /* trial_group_kind */
  int obs;              /* index into the setups' out_names */
  tw_ep_window win;
  int n_thr;
  tw_ep_threshold thr[TW_EP_MAX_THRESHOLDS];
  int first, count;     /* its endpoints: [first, first + count) */
} trial_group;

enum { TRIAL_MAX_GROUPS = 16 };

typedef struct trial_setup {
  int n_arms, reference;
  tw_sim_setup *arm;    /* (A) each arm set up for twin 0 only: model, observables, sensor,
                           plan (the job sets up each chunk's twins: trial_setup_chunk) */
  int64_t n_twins;
  int32_t *arm_of;      /* (n) parallel designs; NULL for crossover */
  int n_groups;
  trial_group group[TRIAL_MAX_GROUPS];
  int n_ep;
  char **ep_names, **ep_units; /* (E) */
  int64_t *dose_min;    /* (n_doses) PK: the dose times, the same in every arm */
  int n_doses;
  int n_cov;            /* covariates of the cohort file, copied into the results */
  char **cov_names, **cov_units;
  char *cohort;         /* the cohort file's path, or NULL */
  const char *glucose;  /* the glucose observable's name, or NULL */
} trial_setup;

/* Every arm checked over every twin, in ranges, before any work (what a bad
** cohort value or config key stops, it stops here); holds no value per twin but
** the parallel allocation. The ranges are shared out over the ranks of `dist`
** (range k to rank k mod size), so the check takes 1/size of the time; the
** caller agrees on the outcome (tw_dist_agree carries a failing rank's message). */
tw_status trial_setup_build(const tw_trial_config *c, const tw_cfg_doc *doc, const tw_dist *dist, trial_setup *s);
/* Each arm set up for twins [id0, id0 + n) into arm (A): row i is twin id0 + i;
** parameters in arm[0].params only (the same in every arm, checked); each arm's
** plan takes the backend of s->arm[a].plan. Free each with tw_sim_setup_free,
** also after a failure. */
tw_status trial_setup_chunk(const tw_trial_config *c, const tw_cfg_doc *doc, const trial_setup *s, int64_t id0,
                            int64_t n, tw_sim_setup *arm);
/* The cohort file's covariates of twins [id0, id0 + n): cov[k] a malloc'd (n)
** array per covariate (n_cov of them; NULL where not read: free them all). */
tw_status trial_setup_covariates(const trial_setup *s, int64_t id0, int64_t n, double **cov);
void trial_setup_free(trial_setup *s);

#endif
