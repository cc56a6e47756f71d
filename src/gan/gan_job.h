/*
** gan_job.h: the jobs behind `twinscale gan train CONFIG` and `twinscale gan
** sample` (issue 12, item 4; docs/gan.md, "Commands"): the data transformer,
** the condition sampler, the networks, the validity redraws and the cohort
** writer put together. One process: on the CPU backend the GAN's products use
** the process's OpenMP threads; with `backend: cuda` (or auto on a machine
** with a GPU) the networks live on CUDA device 0 (cuda/gan_ops_cuda.cu) and
** the host keeps the data, the sampler of conditions and the cohort writer.
**
** Train: the cohort's table, the transformer fitted and every row encoded
** once, then steps of tw_gan_train whose data source draws, per step s and
** phase, one training-by-sampling batch (tw_gan_cond_train) at draw
** d = s (critic_steps + 1) + k for critic update k and d = s (critic_steps + 1)
** + critic_steps for the generator update: c1, its mask and real rows having
** c1's categories; in a critic update the real rows and their vectors (c2) are
** then permuted (CTGAN's perm: Fisher-Yates from Philox purpose
** TW_RNG_GAN_TRAIN, "twin" d, index TW_GAN_PERM_INDEX + i), so c2 = c1[perm].
** The model file (PATH.partial, renamed when whole) holds /transformer,
** /generator, /critic, /train (step, Adam's moments, the loss curves) and the
** config text (root attribute `config`). A signal (SIGINT, SIGTERM, SIGUSR1)
** ends the step in hand, writes the checkpoint (the same layout: a model file
** that can also be sampled) and returns TW_ERR_INTERRUPTED; --resume goes on
** from it to the bits an unbroken run gives.
**
** Sample: the model file's transformer and generator, N valid rows
** (validity.h: redraws, the invalid rate), a fixed condition or conditions
** drawn with their real frequencies, the cohort file (cohort_out.h). With a
** fixed condition the conditioned column of every candidate is set to it
** (the generator's own output misses it in a few rows; those are counted). The rows
** are a function of the model, the seed and the condition only (any thread
** count).
**
** Baseline (`gan baseline`): a report baseline's rows, fitted on the real
** cohort, checked and redrawn by the same loop, written as a cohort file.
*/
#ifndef TW_GAN_JOB_H
#define TW_GAN_JOB_H

#include "core/config.h"        /* tw_cfg_doc */
#include "gan/baseline.h"       /* tw_gan_baseline_kind */
#include "gan/gan_job_config.h" /* tw_gan_train_config */
#include "gan/gan_train.h"      /* tw_gan_losses */
#include "gan/validity.h"       /* tw_gan_validity_stats, tw_gan_cond_kind */

TW_EXTERN_C_BEGIN

/* The counter index where the critic batch's permutation draws start (above
** the 2 b, 2 b + 1 of tw_gan_cond_train's draws). */
#define TW_GAN_PERM_INDEX UINT32_C(0x80000000)

typedef struct tw_gan_train_report {
  int64_t rows, columns, discrete;  /* the training table */
  int width, cond_width;            /* the encoded row and the condition vector */
  int64_t batch, steps;             /* the run's (after the schedule) */
  int64_t step0, step;              /* resumed at step0; steps done */
  double fit_seconds;               /* reading, fitting and encoding */
  double seconds, steps_per_s;      /* the training steps only */
  tw_gan_losses last;               /* the last step's losses */
  int signal;                       /* the signal that stopped training (checkpoint written), 0 if none */
  char checkpoint[4096];            /* the checkpoint written on the signal, "" if none */
  char backend[320];                /* the backend the networks ran on, "name (why)" */
  char focus[256];                  /* the focus condition, NAME=VALUE, "" if none */
  int64_t focus_rows;               /* its training rows */
  double focus_share;               /* and the share of the draws given it */
} tw_gan_train_report;

/* Trains per config c (doc: paths relative to the config, the config text);
** the model file and the checkpoint path are checked before any work (force:
** replace a model file that is not writable). resume: go on from the
** checkpoint when there is one (it must have been written by this config). */
tw_status tw_gan_train_run(const tw_gan_train_config *c, const tw_cfg_doc *doc, int force, int resume,
                           tw_gan_train_report *rep);

/* The most model files of an ensemble (`gan sample --model` repeated). */
#define TW_GAN_MODELS_MAX 64

typedef struct tw_gan_sample_args {
  const char *const *models; /* (n_models) model files written by tw_gan_train_run on one cohort file: with
                                more than one, an ensemble (gan_train.h, tw_gan_ensemble) */
  int n_models;
  const char *output;    /* the cohort file written */
  const char *condition; /* "NAME=VALUE" (a discrete column and one of its categories), or NULL */
  tw_gan_conditioning conditioning; /* how a condition is imposed */
  int64_t n;             /* valid rows wanted, >= 1 */
  uint64_t seed;
  tw_gan_cond_kind kind; /* without a condition, or by rejection: how each row's condition vector is drawn */
  int threads;           /* OpenMP threads (0: the default team) */
  int force;             /* replace an output file that is not writable */
  const char *backend;   /* "auto", "cpu" or "cuda" for the generator; NULL: "cpu" */
} tw_gan_sample_args;

typedef struct tw_gan_sample_report {
  tw_gan_validity_stats stats; /* candidates drawn, refused and why */
  double invalid_rate;
  int64_t n;
  int64_t condition_missed; /* conditioned by its vector: candidates whose generated column had
                               another category (set to the condition's, as every row is); by
                               rejection, stats.off_condition counts those dropped */
  double seconds;
} tw_gan_sample_report;

/* Samples a->n valid rows from the model (or the ensemble of the models) and
** writes them as a cohort file. TW_ERR_INPUT (one line): a model file that is
** missing, not HDF5 or not a GAN model file, a model whose transformer is not
** the first's (another cohort), a bad condition (tw_gan_cond_fixed's
** messages), n < 1. */
tw_status tw_gan_sample_run(const tw_gan_sample_args *a, tw_gan_sample_report *rep);

/* A trial's cohort.from_generator (docs/trial.md, "Synthetic twins"): n twins
** sampled from the model as tw_gan_sample_run samples them (the same rows
** for the same model, condition, n and seed; conditions drawn at their real
** frequencies without one), appended to the twins of the real cohort file
** (or alone without one) and written as one cohort file
** (tw_gan_cohort_write_joined: the generated twins flagged in
** /cohort/covariates/synthetic). The real cohort's columns are read whole
** (8 bytes a cell: 55 columns of a million twins is 440 MB). */
typedef struct tw_gan_cohort_gen_args {
  const char *const *models; /* (n_models) model files written by tw_gan_train_run (tw_gan_sample_args) */
  int n_models;
  const char *condition; /* "NAME=VALUE", or NULL */
  tw_gan_conditioning conditioning; /* how the condition is imposed (tw_gan_sample_args) */
  int64_t n;             /* generated twins, >= 1 */
  uint64_t seed;
  const char *real;      /* the cohort file the generated twins join, or NULL: they are the cohort alone */
  const char *pack;      /* the trial's pack: the model's training cohort must be of it (NULL: not checked) */
  const char *output;    /* the cohort file written (replaced when it exists) */
  int threads;           /* OpenMP threads (0: the default team) */
} tw_gan_cohort_gen_args;

/* Which input a TW_ERR_INPUT refused, so the caller can name its key. */
typedef enum tw_gan_gen_input {
  TW_GAN_GEN_OK = 0,
  TW_GAN_GEN_MODEL,     /* missing, not HDF5, not a GAN model file, of another pack or cohort schema */
  TW_GAN_GEN_CONDITION, /* tw_gan_cond_fixed's refusals */
  TW_GAN_GEN_N,         /* n < 1 */
  TW_GAN_GEN_REAL       /* the real cohort: missing, not a cohort file, not the model's columns */
} tw_gan_gen_input;

typedef struct tw_gan_cohort_gen_report {
  tw_gan_sample_report sample; /* the generated twins' redraws */
  int64_t n_real;              /* real twins before them */
  tw_gan_gen_input bad;        /* the input refused, TW_GAN_GEN_OK for other failures */
} tw_gan_cohort_gen_report;

/* Checks every input before sampling (the model, its pack, the condition, n,
** the real cohort's columns against the model's: TW_ERR_INPUT, one line, and
** rep->bad says which), then samples and writes a->output. */
tw_status tw_gan_cohort_from_generator(const tw_gan_cohort_gen_args *a, tw_gan_cohort_gen_report *rep);

/* `twinscale gan baseline` (gan_job_baseline.c): one draw of a report
** baseline (baseline.h) as a cohort file a trial takes, for the baseline's
** utility. Fitted on the real cohort's rows (with a condition, its rows of
** that category, as the report's real table is a subgroup's), drawn with the
** seed as the report's draw of that seed is; invalid rows redrawn through the
** loop of tw_gan_sample_valid (validity.h) unless keep_invalid. */
typedef struct tw_gan_baseline_args {
  const char *real;          /* the cohort file the baseline is fitted on */
  const char *output;        /* the cohort file written */
  tw_gan_baseline_kind kind; /* the Gaussian copula, bootstrap or smoothed bootstrap */
  tw_gan_smoothing smoothing; /* the smoothed bootstrap's (baseline.h) */
  const char *condition;     /* "NAME=VALUE": fit on the real rows of that category; NULL: every row */
  int64_t n;                 /* rows written, >= 1 */
  uint64_t seed;             /* the report's draw k is seed S + k */
  int keep_invalid;          /* 1: write the draw's n rows as they are, invalid ones counted */
  int threads;               /* OpenMP threads of the steady-state checks (0: the default team) */
  int force;                 /* replace an output file that is not writable */
} tw_gan_baseline_args;

typedef struct tw_gan_baseline_report {
  tw_gan_validity_stats stats; /* rows drawn, refused (or kept) and why */
  double invalid_rate;
  int64_t n;         /* rows written */
  int64_t real_rows; /* real rows the baseline was fitted on */
  int checked;       /* the cohort records a pack, so rows were checked */
  double seconds;
} tw_gan_baseline_report;

/* Draws and writes a->output. TW_ERR_INPUT (one line): the real file missing
** or not a cohort file, a bad condition (tw_gan_baseline_restrict's
** messages), n < 1, an output that exists and is not writable. */
tw_status tw_gan_baseline_run(const tw_gan_baseline_args *a, tw_gan_baseline_report *rep);

/* The start of a job that writes n rows (sample, baseline): n >= 1, the
** OpenMP team, the output path writable (force: replace one that is not);
** TW_ERR_INPUT naming cmd or the path otherwise. */
tw_status tw_gan_rows_job_begin(const char *cmd, int64_t n, const char *output, int force, int threads);

/* Sets the OpenMP team for the GAN's loops when threads > 0 (the results do
** not depend on it). */
void tw_gan_set_threads(int threads);

TW_EXTERN_C_END

#endif
