/*
** fed.c: federated training over sites (fed.h): the sites and their
** communicators, the set-up checks, the rounds, checkpoints.
**
** Messages between sites travel only between site leaders over the federation
** communicator, in a star around the federation leader (site 0's leader), and
** every one goes through send_to / recv_from, which log it (audit.h):
**   set-up   hello (model sizes, resumed round: 72 bytes) site -> leader
**            public_key (32 bytes) site -> leader, public_keys (32 x sites) leader -> site
**   round r  global_model (16 + 4 n bytes) leader -> site
**            report (status, signal, validation loss, epsilon spent: 24 bytes) site -> leader
**            update or masked_update (8 (n + 1) bytes) site -> leader, sampled sites only
** Within a site the global weights are broadcast over the site communicator,
** and the site's ranks train together as `train`'s ranks do. The whole world
** agrees (tw_dist_agree) only at set-up and at the end, on status codes and
** the failing rank's message (docs/federated.md, "What crosses between sites").
*/
#include "fed/fed.h"

#include <limits.h> /* INT_MAX */
#include <math.h>   /* NAN, ceil */
#include <mpi.h>
#include <stdio.h>  /* snprintf, fopen */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memcpy, memset */

#include "core/check.h"    /* TW_MPI_CHECK */
#include "core/clock.h"    /* tw_now_seconds */
#include "core/log.h"      /* progress per round */
#include "core/philox.h"   /* client sampling */
#include "fed/audit.h"
#include "fed/fed_internal.h"
#include "fed/secagg.h"
#include "mpi/dist_comm.h" /* tw_dist_comm */
#include "run/run.h"       /* signals, tw_run_check_output */

static const char *const kinds[FED_N_TAGS] = {"", "hello", "public_key", "public_keys", "global_model", "report", "update"};

typedef struct hello_msg {
  int64_t sizes[8]; /* N F H Hr L M O, weights */
  int64_t round0;
} hello_msg;

typedef struct global_head {
  int32_t stop;     /* a failed site's status code, 0 to go on */
  int32_t signal;   /* a signal caught at some site, 0 if none */
  int64_t round;
} global_head;

typedef struct report_msg { /* what a site tells the leader besides its update: nothing more */
  int32_t status, signal;
  double val_loss;
  double epsilon;   /* spent so far under DP-SGD, NaN without */
} report_msg;

/* ---- messages between sites ------------------------------------------------------ */

static const char *kind_name(const tw_fed *f, int tag) {
  return tag == FED_TAG_UPDATE && f->c->federation.secure ? "masked_update" : kinds[tag];
}

static const char *site_name(const tw_fed *f, int s) { return f->c->sites[s].name; }

static tw_status send_to(tw_fed *f, int to, int tag, int64_t round, const void *buf, size_t bytes) {
  if (bytes > INT_MAX) return TW_FAIL(TW_ERR_UNSUPPORTED, "fed: a message of %zu bytes (2 GiB at most)", bytes);
  TW_TRY(tw_audit_record(&f->audit, round, site_name(f, f->site), site_name(f, to), kind_name(f, tag), buf, bytes, 1));
  TW_MPI_CHECK(MPI_Send(buf, (int)bytes, MPI_BYTE, to, tag, f->fed_comm));
  return TW_OK;
}

static tw_status recv_from(tw_fed *f, int from, int tag, int64_t round, void *buf, size_t bytes) {
  MPI_Status status;
  int got = 0;
  TW_MPI_CHECK(MPI_Recv(buf, (int)bytes, MPI_BYTE, from, tag, f->fed_comm, &status));
  TW_MPI_CHECK(MPI_Get_count(&status, MPI_BYTE, &got));
  if ((size_t)got != bytes)
    return TW_FAIL(TW_ERR_INTERNAL, "fed: site %s sent %d bytes of %s, expected %zu", site_name(f, from), got,
                   kind_name(f, tag), bytes);
  return tw_audit_record(&f->audit, round, site_name(f, from), site_name(f, f->site), kind_name(f, tag), buf, bytes, 0);
}

/* ---- sites and communicators ---------------------------------------------------- */

/* World rank `rank`'s site: sites[].ranks ranks each in config order, or one each. */
static tw_status site_of_rank(const tw_fed_config *c, int rank, int size, int *site) {
  int64_t total = 0;
  for (int s = 0; s < c->n_sites; ++s) total += c->sites[s].ranks;
  if (size == c->n_sites) return (*site = rank), TW_OK;
  if (size != total && total == c->n_sites)
    return TW_FAIL(TW_ERR_INPUT, "fed: %d rank%s for %d sites of one rank each: run under mpirun -n %d", size,
                   size == 1 ? "" : "s", c->n_sites, c->n_sites);
  if (size != total)
    return TW_FAIL(TW_ERR_INPUT, "fed: %d rank%s for %d sites that want %lld (sites[].ranks) or one each: run under "
                   "mpirun -n %lld", size, size == 1 ? "" : "s", c->n_sites, (long long)total, (long long)total);
  int64_t end = 0;
  for (int s = 0; s < c->n_sites; ++s)
    if (rank < (end += c->sites[s].ranks)) return (*site = s), TW_OK;
  return TW_FAIL(TW_ERR_INTERNAL, "fed: rank %d in no site", rank);
}

static tw_status split(tw_fed *f) {
  const tw_dist *w = f->world;
  if (!w->comm) return (f->site_dist = *w), (f->leader = 1), TW_OK; /* one process, one site */
  int rank = 0, size = 0;
  TW_MPI_CHECK(MPI_Comm_split(tw_dist_comm(w), f->site, w->rank, &f->site_comm));
  TW_MPI_CHECK(MPI_Comm_rank(f->site_comm, &rank));
  TW_MPI_CHECK(MPI_Comm_size(f->site_comm, &size));
  f->leader = rank == 0;
  TW_MPI_CHECK(MPI_Comm_split(tw_dist_comm(w), f->leader ? 0 : MPI_UNDEFINED, f->site, &f->fed_comm));
  f->site_dist = (tw_dist){.rank = rank, .size = size, .local_rank = w->local_rank, .local_size = w->local_size,
                           .comm = &f->site_comm};
  return TW_OK;
}

/* The site's train config: the shared one with the site's files and sizes. */
static void site_config(tw_fed *f) {
  const tw_fed_site_cfg *s = &f->c->sites[f->site];
  f->tc = f->c->train;
  f->tc.data.files = s->files, f->tc.data.n_files = s->n_files;
  if (s->model.H) f->tc.model.H = s->model.H;
  if (s->model.Hr) f->tc.model.Hr = s->model.Hr;
  if (s->model.L) f->tc.model.L = s->model.L;
  if (s->model.M) f->tc.model.M = s->model.M;
}

static tw_status buffers(tw_fed *f) {
  int64_t sizes[8];
  tw_train_sizes(f->tr, sizes);
  f->n = sizes[7];
  f->windows = tw_train_windows(f->tr);
  const size_t n = (size_t)f->n + 1;
  f->w_global = malloc(n * sizeof(float)), f->w_local = malloc(n * sizeof(float));
  f->msg = malloc(sizeof(global_head) + n * sizeof(float));
  f->q = malloc(n * sizeof(uint64_t)), f->in = malloc(n * sizeof(uint64_t)), f->sum = malloc(n * sizeof(uint64_t));
  f->sampled = calloc((size_t)f->c->n_sites, sizeof(int)), f->order = calloc((size_t)f->c->n_sites, sizeof(int));
  f->site_loss = calloc((size_t)f->c->n_sites, sizeof(double));
  f->site_eps = calloc((size_t)f->c->n_sites, sizeof(double));
  if (!f->w_global || !f->w_local || !f->msg || !f->q || !f->in || !f->sum || !f->sampled || !f->order || !f->site_loss ||
      !f->site_eps)
    return TW_FAIL(TW_ERR_NOMEM, "fed: buffers for %lld weights", (long long)f->n);
  return TW_OK;
}

/* ---- set-up among the leaders ------------------------------------------------------ */

static void sizes_text(const int64_t *s, char *out, size_t cap) {
  snprintf(out, cap, "%lld %lld %lld %lld %lld %lld %lld", (long long)s[0], (long long)s[1], (long long)s[2],
           (long long)s[3], (long long)s[4], (long long)s[5], (long long)s[6]);
}

static tw_status hello_check(const tw_fed *f, int s, const hello_msg *mine, const hello_msg *o) {
  if (memcmp(o->sizes, mine->sizes, sizeof mine->sizes)) {
    char a[160], b[160];
    sizes_text(mine->sizes, a, sizeof a), sizes_text(o->sizes, b, sizeof b);
    return TW_FAIL(TW_ERR_INPUT, "fed: sites %s and %s build different models (N F H Hr L M O = %s and %s; %lld and "
                   "%lld weights): every site must train the same model sizes", site_name(f, 0), site_name(f, s), a, b,
                   (long long)mine->sizes[7], (long long)o->sizes[7]);
  }
  if (o->round0 != mine->round0)
    return TW_FAIL(TW_ERR_INPUT, "fed: site %s resumes at round %lld, site %s at round %lld: their checkpoints are not "
                   "from one run (remove them to start again)", site_name(f, 0), (long long)mine->round0,
                   site_name(f, s), (long long)o->round0);
  return TW_OK;
}

/* Model sizes and the resumed round: the same at every site. */
static tw_status hello(tw_fed *f) {
  hello_msg h;
  memset(&h, 0, sizeof h);
  tw_train_sizes(f->tr, h.sizes);
  h.round0 = f->r0;
  if (f->site != 0) return send_to(f, 0, FED_TAG_HELLO, -1, &h, sizeof h);
  tw_status st = TW_OK;
  for (int s = 1; s < f->c->n_sites; ++s) { /* every hello is received, also after a mismatch */
    hello_msg o;
    TW_TRY(recv_from(f, s, FED_TAG_HELLO, -1, &o, sizeof o));
    if (st == TW_OK) st = hello_check(f, s, &h, &o);
  }
  return st;
}

/* Public keys in to the leader and out to every site; then the pair keys. */
static tw_status exchange_keys(tw_fed *f) {
  const int n = f->c->n_sites;
  const size_t all = (size_t)n * TW_SECAGG_KEY_BYTES;
  TW_TRY(tw_secagg_open(&f->sa, n, f->site));
  unsigned char *pks = calloc(all, 1);
  if (!pks) return TW_FAIL(TW_ERR_NOMEM, "fed: public keys");
  tw_status st = TW_OK;
  if (f->site != 0) {
    st = send_to(f, 0, FED_TAG_KEY, -1, f->sa.pk, TW_SECAGG_KEY_BYTES);
    if (st == TW_OK) st = recv_from(f, 0, FED_TAG_KEYS, -1, pks, all);
  } else {
    memcpy(pks, f->sa.pk, TW_SECAGG_KEY_BYTES);
    for (int s = 1; s < n && st == TW_OK; ++s)
      st = recv_from(f, s, FED_TAG_KEY, -1, pks + (size_t)s * TW_SECAGG_KEY_BYTES, TW_SECAGG_KEY_BYTES);
    for (int s = 1; s < n && st == TW_OK; ++s) st = send_to(f, s, FED_TAG_KEYS, -1, pks, all);
  }
  if (st == TW_OK) st = tw_secagg_agree(&f->sa, pks);
  free(pks);
  return st;
}

/* ---- checkpoints -------------------------------------------------------------------- */

static void ckpt_path(const tw_fed *f, char *out, size_t cap) {
  const tw_fed_config *c = f->c;
  if (c->checkpoint.path) snprintf(out, cap, "%s.%s.h5", c->checkpoint.path, site_name(f, f->site));
  else snprintf(out, cap, "%s.ckpt.%s.h5", c->output.path, site_name(f, f->site));
}

/* This site's checkpoint, when there is one: its weights (the global ones of
** the round boundary it was written at), moments and step. */
static tw_status resume_site(tw_fed *f) {
  FILE *probe = fopen(f->ckpt, "rb");
  if (!probe) {
    if (f->world->rank == 0) tw_log(TW_LOG_INFO, "fed: no checkpoint at %s: starting at round 0", f->ckpt);
    return TW_OK;
  }
  fclose(probe);
  int64_t step = 0;
  TW_TRY(tw_train_load(f->tr, f->ckpt, f->text, &step));
  f->r0 = step / f->c->federation.local_steps;
  return TW_OK;
}

/* At the boundary before round r, the trainer holding the global weights. */
static tw_status save_site(tw_fed *f, int64_t r) {
  double unused;
  const int64_t at = r * f->c->federation.local_steps;
  TW_TRY(tw_train_steps(f->tr, at, at, 0, NULL, &unused)); /* no step: the trainer's next step becomes `at` */
  return tw_dist_agree(&f->site_dist, f->site_dist.rank == 0 ? tw_train_save(f->tr, f->ckpt, f->text, 1) : TW_OK);
}

/* ---- the sites of a round ------------------------------------------------------------ */

/* The sites of round r: ceil(fraction x sites) of them, a partial Fisher-Yates
** shuffle of the site indices with one Philox draw per pick. */
static void sample(tw_fed *f, int64_t r) {
  const int n = f->c->n_sites;
  int m = (int)ceil(f->c->federation.fraction * n - 1e-9);
  m = m < 1 ? 1 : m > n ? n : m;
  for (int s = 0; s < n; ++s) f->order[s] = s, f->sampled[s] = 0;
  for (int i = 0; i < m; ++i) {
    uint32_t b[4];
    tw_philox_block((uint64_t)f->c->train.seed, (uint64_t)r, TW_RNG_FED, (uint32_t)i, b);
    const int j = i + (int)(((((uint64_t)b[0] << 32) | b[1])) % (uint64_t)(n - i));
    const int t = f->order[i];
    f->order[i] = f->order[j], f->order[j] = t;
    f->sampled[f->order[i]] = 1;
  }
}

/* ---- differential privacy ----------------------------------------------------------
**
** Each site is its own (epsilon, delta) guarantee for its own records. Its
** DP-SGD samples windows at q = batch.windows / its training windows (the
** expected batch is batch.windows, as Opacus' expected_batch_size), and its
** ledger (rdp.h) composes the sampled Gaussian mechanism over the steps it
** took. Before a sampled round the site asks the ledger whether the round's
** local steps still fit in the budget; if not, it sits the round out with an
** update of weight 0 (the leader, seeing only masked sums, cannot tell), and
** every later round too, so no site ever spends more than epsilon. With
** noise_multiplier auto, sigma is the smallest that fits exactly the rounds the
** site will be sampled for (the sampling is known from the seed), so it trains
** every one of them. Every rank of a site computes the same numbers. */

static tw_status dp_setup(tw_fed *f) {
  const tw_fed_privacy_cfg *p = &f->c->privacy;
  f->epsilon = NAN, f->dp_out = -1;
  if (!(p->epsilon > 0)) return TW_OK;
  const int64_t E = f->c->train.batch.windows;
  if (E > f->windows)
    return TW_FAIL(TW_ERR_INPUT, "fed: site %s has %lld training windows, fewer than train.batch.windows = %lld (the "
                   "expected DP-SGD batch): its sampling rate %g is not in (0, 1]", site_name(f, f->site),
                   (long long)f->windows, (long long)E, (double)E / (double)f->windows);
  f->dp = 1, f->epsilon = 0;
  f->dpp.q = (double)E / (double)f->windows;
  f->dpp.seed = (uint64_t)f->c->train.seed + ((uint64_t)f->site << 40);
  f->dpp.sgd = (tw_dp_sgd){.max_grad_norm = p->max_grad_norm, .noise_multiplier = p->noise_multiplier,
                           .expected_batch = E};
  int64_t rounds = 0;
  for (int64_t r = 0; r < f->R; ++r) sample(f, r), rounds += f->sampled[f->site];
  f->dp_planned = rounds * f->k;
  if (p->sigma_auto && f->dp_planned > 0)
    TW_TRY(tw_rdp_sgm_sigma(f->dpp.q, f->dp_planned, p->delta, p->epsilon, &f->dpp.sgd.noise_multiplier));
  if (p->sigma_auto && f->dp_planned == 0) f->dpp.sgd.noise_multiplier = 1; /* never used */
  if (f->leader)
    tw_log(TW_LOG_INFO, "fed: site %s: DP-SGD at q = %.17g (%lld of %lld windows expected per step), sigma = %.17g, "
           "C = %g; %lld planned steps within epsilon %g (delta %g)", site_name(f, f->site), f->dpp.q, (long long)E,
           (long long)f->windows, f->dpp.sgd.noise_multiplier, p->max_grad_norm, (long long)f->dp_planned,
           p->epsilon, p->delta);
  return TW_OK;
}

/* Whether round r's local steps fit in the site's budget (once out, out for good). */
static tw_status dp_fits(tw_fed *f, int64_t r, int *fits) {
  const tw_fed_privacy_cfg *p = &f->c->privacy;
  *fits = 0;
  if (f->dp_out >= 0) return TW_OK;
  TW_TRY(tw_rdp_ledger_fits(&f->ledger, f->dpp.q, f->dpp.sgd.noise_multiplier, f->k, p->delta, p->epsilon, fits));
  if (!*fits) f->dp_out = r;
  return TW_OK;
}

/* The round's steps into the ledger, and the epsilon spent. */
static tw_status dp_spend(tw_fed *f) {
  double order;
  TW_TRY(tw_rdp_ledger_add(&f->ledger, f->dpp.q, f->dpp.sgd.noise_multiplier, f->k));
  return tw_rdp_ledger_epsilon(&f->ledger, f->c->privacy.delta, &f->epsilon, &order);
}

/* Resuming at round r0: the ledger of rounds 0..r0-1, as they were run. */
static tw_status dp_replay(tw_fed *f) {
  for (int64_t r = 0; r < f->r0 && f->dp; ++r) {
    sample(f, r);
    int fits = 0;
    if (f->sampled[f->site]) TW_TRY(dp_fits(f, r, &fits));
    if (fits) TW_TRY(dp_spend(f));
  }
  return TW_OK;
}

/* The site's local steps of round r: DP-SGD, or plain. */
static tw_status local_steps(tw_fed *f, int64_t r, int prox, double *loss) {
  const tw_fed_federation_cfg *fc = &f->c->federation;
  const double mu = prox ? fc->mu : 0;
  const float *anchor = prox ? f->w_global : NULL;
  if (!f->dp) return tw_train_steps(f->tr, r * f->k, (r + 1) * f->k, mu, anchor, loss);
  TW_TRY(tw_train_steps_dp(f->tr, r * f->k, (r + 1) * f->k, &f->dpp, mu, anchor, loss));
  return dp_spend(f);
}

/* ---- set-up and tear-down ------------------------------------------------------------ */

static tw_status check_outputs(tw_fed *f) {
  if (f->world->rank == 0) {
    TW_TRY(tw_run_check_output(f->c->output.path, 1));
    TW_TRY(tw_run_check_output(f->report_path, 1));
  }
  return f->leader ? tw_run_check_output(f->ckpt, 1) : TW_OK;
}

static void paths(tw_fed *f) {
  const tw_fed_output_cfg *o = &f->c->output;
  snprintf(f->report_path, sizeof f->report_path, "%s%s", o->report ? o->report : o->path, o->report ? "" : ".json");
  snprintf(f->audit_path, sizeof f->audit_path, "%s%s", o->audit ? o->audit : o->path, o->audit ? "" : ".audit");
  ckpt_path(f, f->ckpt, sizeof f->ckpt);
}

/* Everything up to round r0, agreed by the whole world step by step. */
static tw_status setup(tw_fed *f, const tw_cfg_doc *doc, int resume) {
  const tw_dist *w = f->world;
  f->text = tw_cfg_text(doc);
  f->k = f->c->federation.local_steps, f->R = f->c->train.steps / f->k;
  TW_TRY(tw_dist_agree(w, site_of_rank(f->c, w->rank, w->size, &f->site)));
  TW_TRY(tw_dist_agree(w, split(f)));
  site_config(f);
  paths(f);
  TW_TRY(tw_dist_agree(w, check_outputs(f)));
  const tw_train_data_cfg *ref = &f->c->train.data;
  TW_TRY(tw_dist_agree(w, tw_train_open(&f->site_dist, &f->tc, doc, ref->files, ref->n_files, &f->tr)));
  TW_TRY(tw_dist_agree(w, buffers(f)));
  TW_TRY(tw_dist_agree(w, dp_setup(f)));
  if (resume) TW_TRY(tw_dist_agree(w, resume_site(f)));
  TW_TRY(tw_dist_agree(w, dp_replay(f)));
  TW_TRY(tw_dist_agree(w, f->leader ? tw_audit_open(&f->audit, f->audit_path, site_name(f, f->site),
                                                     f->c->output.payloads, f->r0 > 0) : TW_OK));
  TW_TRY(tw_dist_agree(w, f->leader ? hello(f) : TW_OK));
  if (f->c->federation.secure) TW_TRY(tw_dist_agree(w, f->leader ? exchange_keys(f) : TW_OK));
  return tw_dist_agree(w, w->rank == 0 ? tw_train_params_get(f->tr, f->w_global) : TW_OK);
}

static void teardown(tw_fed *f) {
  tw_train_close(f->tr);
  tw_audit_close(&f->audit);
  tw_secagg_close(&f->sa);
  free(f->w_global), free(f->w_local), free(f->msg), free(f->q), free(f->in), free(f->sum);
  free(f->sampled), free(f->order), free(f->site_loss), free(f->site_eps);
  tw_rdp_ledger_free(&f->ledger);
  if (f->fed_comm != MPI_COMM_NULL) MPI_Comm_free(&f->fed_comm);
  if (f->site_comm != MPI_COMM_NULL) MPI_Comm_free(&f->site_comm);
}

/* ---- a round --------------------------------------------------------------------------- */

/* The leader: the global weights and the verdict to every other site. */
static tw_status global_send(tw_fed *f, int64_t r) {
  const global_head h = {f->stop, f->signal, r};
  const size_t bytes = sizeof h + (size_t)f->n * sizeof(float);
  memcpy(f->msg, &h, sizeof h);
  memcpy(f->msg + sizeof h, f->w_global, (size_t)f->n * sizeof(float));
  for (int s = 1; s < f->c->n_sites; ++s) TW_TRY(send_to(f, s, FED_TAG_GLOBAL, r, f->msg, bytes));
  return TW_OK;
}

/* Every rank: the leader's message (through the site's leader), into the model. */
static tw_status global_recv(tw_fed *f, int64_t r) {
  global_head h;
  const size_t bytes = sizeof h + (size_t)f->n * sizeof(float);
  if (f->leader && f->site != 0) TW_TRY(recv_from(f, 0, FED_TAG_GLOBAL, r, f->msg, bytes));
  TW_TRY(tw_dist_bcast(&f->site_dist, f->msg, bytes, 0));
  memcpy(&h, f->msg, sizeof h);
  memcpy(f->w_global, f->msg + sizeof h, (size_t)f->n * sizeof(float));
  f->stop = h.stop, f->signal = h.signal;
  return tw_train_params_set(f->tr, f->w_global);
}

/* The site's part of round r: the global model's losses, then (when sampled)
** local steps and the update, quantised and masked on the site's leader. */
static tw_status local_round(tw_fed *f, int64_t r, double *val, double *global, double *loss) {
  const tw_fed_federation_cfg *fc = &f->c->federation;
  TW_TRY(tw_train_loss(f->tr, 0, val));
  if (f->world->rank == 0) TW_TRY(tw_train_loss(f->tr, 1, global));
  if (!f->sampled[f->site]) return TW_OK;
  int fits = 1;
  if (f->dp) TW_TRY(dp_fits(f, r, &fits));
  if (fits) {
    TW_TRY(local_steps(f, r, fc->algorithm == TW_FED_FEDPROX, loss));
    TW_TRY(tw_train_params_get(f->tr, f->w_local));
    for (int64_t i = 0; i < f->n; ++i) f->w_local[i] -= f->w_global[i]; /* the site's update */
  } else {
    memset(f->w_local, 0, (size_t)f->n * sizeof *f->w_local); /* out of budget: weight 0 */
  }
  if (!f->leader) return TW_OK;
  const int64_t weight = fits ? f->windows : 0;
  TW_TRY(tw_secagg_quantise(f->w_local, f->n, (double)weight, f->c->n_sites, f->q));
  f->q[f->n] = (uint64_t)weight;
  return fc->secure ? tw_secagg_mask(&f->sa, (uint64_t)r, f->sampled, f->q, f->n + 1) : TW_OK;
}

static void add_into(uint64_t *sum, const uint64_t *v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) sum[i] += v[i]; /* mod 2^64 */
}

/* The leader: every site's report (and update), the sum, the new global weights. */
static tw_status collect(tw_fed *f, int64_t r, const report_msg *own) {
  const int64_t n1 = f->n + 1;
  memset(f->sum, 0, (size_t)n1 * sizeof *f->sum);
  f->stop = own->status, f->signal = own->signal, f->site_loss[0] = own->val_loss, f->site_eps[0] = own->epsilon;
  if (!own->status && f->sampled[0]) add_into(f->sum, f->q, n1);
  for (int s = 1; s < f->c->n_sites; ++s) {
    report_msg m;
    TW_TRY(recv_from(f, s, FED_TAG_REPORT, r, &m, sizeof m));
    f->site_loss[s] = m.val_loss, f->site_eps[s] = m.epsilon;
    if (m.status && !f->stop) f->stop = m.status, f->failed_site = s;
    if (m.signal > f->signal) f->signal = m.signal;
    if (m.status || !f->sampled[s]) continue;
    TW_TRY(recv_from(f, s, FED_TAG_UPDATE, r, f->in, (size_t)n1 * sizeof *f->in));
    add_into(f->sum, f->in, n1);
  }
  const double windows = (double)(int64_t)f->sum[f->n];
  if (f->stop || windows <= 0) return TW_OK;
  for (int64_t i = 0; i < f->n; ++i) f->w_global[i] += (float)(tw_secagg_value(f->sum[i]) / windows);
  return TW_OK;
}

/* A site's leader: its report, and its update when it trained. */
static tw_status report_send(tw_fed *f, int64_t r, const report_msg *m) {
  TW_TRY(send_to(f, 0, FED_TAG_REPORT, r, m, sizeof *m));
  if (m->status || !f->sampled[f->site]) return TW_OK;
  return send_to(f, 0, FED_TAG_UPDATE, r, f->q, (size_t)(f->n + 1) * sizeof *f->q);
}

/* The signal caught on any rank of the site. */
static int site_signal(tw_fed *f) {
  double sig = (double)tw_run_signal_caught();
  if (tw_dist_max_f64(&f->site_dist, &sig, 1) != TW_OK) return tw_error_clear(), 15;
  return (int)sig;
}

/* Round r of the site: losses, training, report; the leader's collection. */
static tw_status site_round(tw_fed *f, int64_t r, tw_fed_report *rep) {
  double val = NAN, global = NAN, loss = NAN;
  const double eps = f->epsilon; /* spent on the model of row r: before this round's steps */
  if (r < f->R) sample(f, r);
  else memset(f->sampled, 0, (size_t)f->c->n_sites * sizeof *f->sampled); /* the last row: losses only */
  tw_status st = local_round(f, r, &val, &global, &loss);
  if (st != TW_OK) tw_fed_keep_failure(f, st);
  const report_msg m = {(int32_t)st, site_signal(f), val, eps};
  if (!f->leader) return TW_OK;
  if (f->site != 0) return report_send(f, r, &m);
  TW_TRY(collect(f, r, &m));
  return tw_fed_row(f, r, global, rep);
}

/* ---- the run ------------------------------------------------------------------------- */

static tw_status rounds(tw_fed *f, tw_fed_report *rep) {
  for (int64_t r = f->r0;; ++r) {
    if (f->world->rank == 0) TW_TRY(global_send(f, r));
    TW_TRY(global_recv(f, r));
    const int64_t every = f->c->checkpoint.every;
    if (r > f->r0 && !f->stop && (f->signal || (every > 0 && r % every == 0 && r < f->R))) TW_TRY(save_site(f, r));
    if (f->stop || f->signal) return tw_fed_stopped(f, r, rep);
    TW_TRY(site_round(f, r, rep));
    if (r == f->R) return TW_OK;
  }
}

tw_status tw_fed_run(const tw_dist *world, const tw_fed_config *c, const tw_cfg_doc *doc, int resume,
                     tw_fed_report *rep) {
  tw_fed f;
  memset(&f, 0, sizeof f);
  memset(rep, 0, sizeof *rep);
  f.c = c, f.world = world;
  f.site_comm = f.fed_comm = MPI_COMM_NULL;
  tw_status st = setup(&f, doc, resume);
  rep->n_sites = c->n_sites, rep->round0 = f.r0, rep->rounds = f.R;
  if (st == TW_OK) {
    const double t0 = tw_now_seconds();
    tw_run_signals_catch();
    st = rounds(&f, rep);
    tw_run_signals_restore();
    rep->seconds = tw_now_seconds() - t0;
    rep->signal = f.signal;
  }
  if (st == TW_OK && world->rank == 0) st = tw_fed_finish(&f, rep);
  /* a site stopped because another failed passes; the failing site's message wins */
  st = tw_dist_agree(world, f.secondary ? TW_OK : st);
  teardown(&f);
  return st;
}
