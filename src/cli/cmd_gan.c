/*
** cmd_gan.c: the conditional GAN's commands (docs/gan.md):
**   `twinscale gan train CONFIG [--set K=V]... [-o PATH] [--force] [--resume]`:
**     the `gan_train` config, the job in src/gan/gan_job.h;
**   `twinscale gan sample --model G.h5 [--model G2.h5 ...] --n N [--condition
**     NAME=VALUE] [--seed S] --output C.h5 [--backend auto|cpu|cuda]`: N valid
**     rows as a cohort file, from one generator or an ensemble (src/gan/gan_job.h;
**     the generators on the CPU unless --backend says);
**   `twinscale gan baseline --real R.h5 --kind gaussian_copula|bootstrap --n N
**     [--condition NAME=VALUE] [--seed S] [--keep-invalid] --output B.h5`: one
**     draw of a report baseline as a cohort file, invalid rows redrawn
**     (src/gan/gan_job.h), for a trial and so the baseline's utility;
**   `twinscale gan report --real R.h5 --synthetic S.h5 --holdout H.h5 --json
**     Q.json [--html P.html] [--seed S] [--seeds K] [--trials R,S,H
**     --endpoint NAME [--arm A] [--baseline-trials gaussian_copula=CT,...]]`:
**     fidelity and privacy of a synthetic cohort as SDMetrics defines them,
**     beside a Gaussian copula's and bootstrap rows' over K seeds, and the
**     utility for a trial endpoint, the copula's from trials of `gan
**     baseline` files (src/gan/report.h), as JSON, an HTML page and a few lines.
** Each parses and calls one job; the job's output is summarised on stdout.
*/
#define _POSIX_C_SOURCE 200809L /* strdup under strict C17 */
#include "build_info.h"         /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include <math.h>   /* isnan, NAN */
#include <stdio.h>  /* printf, snprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strcmp, strncmp, strrchr, strchr, strdup */
#include <unistd.h> /* access */

#include "cli/cli.h"     /* tw_cmd_gan_report, tw_cli_fail */
#include "cli/options.h" /* tw_opts_parse_named */
#include "gan/report.h"  /* tw_gan_report_run, tw_gan_report_baselines */

static void print_summary(const tw_gan_report *r) {
  printf("%lld real, %lld synthetic, %lld holdout rows; %d columns\n", (long long)r->real.n_rows,
         (long long)r->synthetic.n_rows, (long long)r->holdout.n_rows, r->schema.n_cols);
  printf("quality %.4f (column shapes %.4f, column pair trends %.4f)\n", r->score, r->column_shapes,
         r->column_pair_trends);
  printf("quality against the holdout %.4f (column shapes %.4f, column pair trends %.4f)\n", r->holdout_quality[0],
         r->holdout_quality[1], r->holdout_quality[2]);
  printf("privacy: new row synthesis %.4f, DCR overfitting protection %.4f, DCR baseline protection %.4f\n",
         r->new_row_synthesis, r->dcr_overfitting_protection, r->dcr_baseline_protection);
  if (r->pack) printf("validity (pack %s): invalid share %.4f\n", r->pack, r->invalid_share);
}

/* One line per baseline: quality and privacy, mean [min, max] over the seeds. */
static void print_baselines(const tw_gan_report *r) {
  int nv = tw_gan_report_n_values(r);
  const int idx[6] = {TW_GAN_V_SCORE,         tw_gan_v_holdout(r, 0), tw_gan_v_privacy(r, 0),
                      tw_gan_v_privacy(r, 1), tw_gan_v_privacy(r, 2), tw_gan_v_invalid(r)};
  const char *const what[6] = {"quality",         "against the holdout", "new row synthesis",
                               "DCR overfitting", "DCR baseline",        "invalid share"};
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b) {
    printf("%s", tw_gan_report_baseline_list[b].title);
    if (tw_gan_report_baseline_list[b].kind == TW_GAN_BASELINE_SMOOTHED)
      printf(" (bandwidth %g%s, swap %g)", r->smoothing.bandwidth, r->smoothing_matched ? "" : ", the largest tried: "
             "not as private", r->smoothing.swap);
    printf(" (%d seeds, mean [min, max]):", r->n_seeds);
    for (int m = 0; m < (r->pack ? 6 : 5); ++m) {
      tw_gan_spread s = tw_gan_spread_of(r->baseline_values[b], r->n_seeds, nv, idx[m]);
      printf("%s %s %.4f [%.4f, %.4f]", m ? "," : "", what[m], s.mean, s.min, s.max);
    }
    printf("\n");
  }
}

/* "at equal privacy: ...": tw_gan_report_equal_privacy's verdict, in sample and against the holdout. */
static void print_equal_privacy(const tw_gan_report *r) {
  static const char *const verdict[3] = {"undecided (a baseline less private and not beaten)", "no", "yes"};
  const tw_gan_equal_privacy e = tw_gan_report_equal_privacy(r);
  printf("at equal privacy (baselines with mean new row synthesis and DCR overfitting protection at least the "
         "synthetic table's%s), quality above every draw of", r->pack ? ", invalid share at most its" : "");
  for (int b = 0, first = 1; b < TW_GAN_REPORT_BASELINES; ++b)
    if (tw_gan_report_baseline_list[b].equal_privacy) {
      printf("%s %s%s", first ? "" : " and", tw_gan_report_baseline_list[b].title,
             e.as_private[b] ? "" : " (less private)");
      first = 0;
    }
  printf(": %s; against the holdout: %s\n", verdict[e.verdict[0] + 1], verdict[e.verdict[1] + 1]);
}

/* ", on NAME mean [min, max] (k draws)": a baseline's R^2, nothing without draws. */
static void print_draws(const char *name, const double *r2, int n) {
  if (!n) return;
  tw_gan_spread s = tw_gan_spread_of(r2, n, 1, 0);
  printf(", on %s %.4f [%.4f, %.4f] (%d draw%s)", name, s.mean, s.min, s.max, n, n == 1 ? "" : "s");
}

static void print_utility(const tw_gan_utility *u) {
  printf("utility (%s, arm %s; ridge R^2 on %lld holdout twins): trained on real %.4f, on synthetic %.4f", u->endpoint,
         u->arm, (long long)u->rows[2], u->r2_real, u->r2_synthetic);
  print_draws("Gaussian copula", u->r2_copula, u->n_copula);
  print_draws("bootstrap", u->r2_bootstrap, u->n_seeds);
  printf("\n");
}

/* The report's outputs: Q.json, then report.html when asked. */
static tw_status write_outputs(const tw_gan_report *r, const char *json, const char *html) {
  TW_TRY(tw_gan_report_write_json(r, json));
  if (html) TW_TRY(tw_gan_report_write_html(r, html));
  print_summary(r);
  if (r->n_seeds) print_baselines(r), print_equal_privacy(r);
  if (r->utility) print_utility(r->utility);
  printf("wrote %s%s%s\n", json, html ? " and " : "", html ? html : "");
  return TW_OK;
}

/* An output path whose folder is missing or not writable, or --html the same
** path as --json: bad input, refused before any work (exit 2). */
static tw_status check_output(const char *option, const char *path, const char *other) {
  if (other && strcmp(path, other) == 0)
    return TW_FAIL(TW_ERR_INPUT, "--%s %s: the same path as --json", option, path);
  char dir[4096];
  const char *slash = strrchr(path, '/');
  int n = slash ? (int)(slash - path) : 1;
  if (snprintf(dir, sizeof dir, "%.*s", n ? n : 1, slash ? (n ? path : "/") : ".") >= (int)sizeof dir)
    return TW_FAIL(TW_ERR_INPUT, "--%s %s: path too long", option, path);
  if (access(dir, W_OK) != 0)
    return TW_FAIL(TW_ERR_INPUT, "--%s %s: folder %s is missing or not writable", option, path, dir);
  return TW_OK;
}

/* The paths of a comma-separated list, at most max: pointers into *copy (a
** copy of list, commas cut, freed by the caller); -1 for an empty path or
** too many. */
static int split_paths(const char *list, int max, char **copy, const char **paths) {
  if (!(*copy = strdup(list))) return -1;
  int n = 0;
  for (char *p = *copy;;) {
    char *end = strchr(p, ',');
    if (end) *end = 0;
    if (!*p || n == max) return -1;
    paths[n++] = p;
    if (!end) return n;
    p = end + 1;
  }
}

/* The utility's inputs from the command line, and the copies their paths point into. */
enum { MAX_BASELINE_TRIALS = 64 };
typedef struct utility_opts {
  const char *trials, *baseline_trials, *endpoint, *arm;
  char *copies[2];
  const char *copula[MAX_BASELINE_TRIALS];
} utility_opts;

/* --baseline-trials gaussian_copula=CT.h5[,...]: trials of `gan baseline` files. */
static tw_status split_baseline_trials(utility_opts *o, tw_gan_utility_args *a) {
  static const char prefix[] = "gaussian_copula=";
  const char *list = o->baseline_trials;
  if (!o->trials)
    return TW_FAIL(TW_ERR_INPUT, "--baseline-trials %s needs --trials and --endpoint (the holdout trial's twins are "
                   "the test set)", list);
  if (strncmp(list, prefix, sizeof prefix - 1))
    return TW_FAIL(TW_ERR_INPUT, "--baseline-trials %s: expected gaussian_copula=CT.h5[,CT2.h5...] (trials of `gan "
                   "baseline` files; the bootstrap's utility is drawn from the real trial's twins)", list);
  a->n_copula = split_paths(list + sizeof prefix - 1, MAX_BASELINE_TRIALS, &o->copies[1], o->copula);
  if (a->n_copula < 1)
    return TW_FAIL(TW_ERR_INPUT, "--baseline-trials %s: 1 to %d results files after gaussian_copula=, comma-separated",
                   list, MAX_BASELINE_TRIALS);
  a->copula = o->copula;
  return TW_OK;
}

/* --trials R,S,H (three results files) goes with --endpoint, --arm and
** --baseline-trials with both. */
static tw_status utility_args(utility_opts *o, tw_gan_utility_args *a) {
  if (!o->trials != !o->endpoint || (o->arm && !o->trials))
    return TW_FAIL(TW_ERR_INPUT, "--trials R.h5,S.h5,H.h5 and --endpoint NAME go together (--arm needs both)");
  a->endpoint = o->endpoint, a->arm = o->arm;
  if (o->baseline_trials) TW_TRY(split_baseline_trials(o, a));
  if (o->trials && split_paths(o->trials, 3, &o->copies[0], a->trials) != 3)
    return TW_FAIL(TW_ERR_INPUT, "--trials %s: three results files R.h5,S.h5,H.h5 (real, synthetic, holdout)",
                   o->trials);
  return TW_OK;
}

/* The report and its parts, in order: the report, the baselines, the utility, the outputs. */
static tw_status run_report(const char *const paths[3], uint64_t seed, int seeds, const utility_opts *u,
                            const tw_gan_utility_args *ua, const char *json, const char *html) {
  tw_gan_report r;
  TW_TRY(tw_gan_report_run(paths[0], paths[1], paths[2], seed, &r));
  tw_status st = seeds > 0 ? tw_gan_report_baselines(&r, seeds) : TW_OK;
  if (st == TW_OK && u->trials) st = tw_gan_report_utility(&r, ua);
  if (st == TW_OK) st = write_outputs(&r, json, html);
  tw_gan_report_free(&r);
  return st;
}

int tw_cmd_gan_report(int argc, char **argv) {
  const char *paths[3] = {NULL, NULL, NULL}, *json = NULL, *html = NULL;
  utility_opts u = {0};
  int64_t seed = 0, seeds = 5;
  const tw_opt opts[] = {
      {.name = "real", .kind = TW_OPT_STRING, .dest = &paths[0], .required = 1},
      {.name = "synthetic", .kind = TW_OPT_STRING, .dest = &paths[1], .required = 1},
      {.name = "holdout", .kind = TW_OPT_STRING, .dest = &paths[2], .required = 1},
      {.name = "json", .kind = TW_OPT_STRING, .dest = &json, .required = 1},
      {.name = "html", .kind = TW_OPT_STRING, .dest = &html},
      {.name = "seed", .kind = TW_OPT_INT, .dest = &seed, .min = 0, .max = 9007199254740992.0},
      {.name = "seeds", .kind = TW_OPT_INT, .dest = &seeds, .min = 0, .max = 1000},
      {.name = "trials", .kind = TW_OPT_STRING, .dest = &u.trials},
      {.name = "endpoint", .kind = TW_OPT_STRING, .dest = &u.endpoint},
      {.name = "arm", .kind = TW_OPT_STRING, .dest = &u.arm},
      {.name = "baseline-trials", .kind = TW_OPT_STRING, .dest = &u.baseline_trials},
  };
  int bad = tw_opts_parse_named("gan report", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  tw_gan_utility_args ua = {0};
  tw_status st = check_output("json", json, NULL);
  if (st == TW_OK && html) st = check_output("html", html, json);
  if (st == TW_OK) st = utility_args(&u, &ua);
  if (st == TW_OK) st = run_report(paths, (uint64_t)seed, (int)seeds, &u, &ua, json, html);
  free(u.copies[0]), free(u.copies[1]);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}

#if TW_HAVE_YAML
#include <string.h> /* memset */

#include "cli/config_kinds.h" /* tw_config_load */
#include "cli/job_command.h"  /* tw_cli_job_command_resumable, tw_cli_job_exit */
#include "gan/gan_job.h"      /* tw_gan_train_run, tw_gan_sample_run */

static void train_summary(const char *path, const tw_gan_train_report *r) {
  printf("cohort: %lld rows, %lld columns (%lld discrete); encoded row %d floats, condition vector %d\n",
         (long long)r->rows, (long long)r->columns, (long long)r->discrete, r->width, r->cond_width);
  printf("steps %lld..%lld of %lld rows: %.3g steps/s; last losses: critic %.4f, penalty %.4f, generator %.4f "
         "(cond %.4f)\n", (long long)r->step0, (long long)r->step, (long long)r->batch, r->steps_per_s, r->last.critic,
         r->last.penalty, r->last.generator, r->last.cond);
  if (r->focus[0])
    printf("focus: %s on %.3g of the draws (%lld training rows)\n", r->focus, r->focus_share, (long long)r->focus_rows);
  printf("backend: %s\n", r->backend);
  printf("wrote %s (data %.1f s, training %.1f s)\n", path, r->fit_seconds, r->seconds);
}

static int run_train(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_gan_train_config c;
  tw_cfg_doc *doc = NULL;
  tw_gan_train_report rep;
  memset(&rep, 0, sizeof rep);
  char path[4096] = "";
  tw_status st = tw_config_load(file, "gan_train", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    snprintf(path, sizeof path, "%s", c.output.path);
    if (dist->rank == 0) st = tw_gan_train_run(&c, doc, co->force, co->resume, &rep);
    tw_cfg_release(&tw_gan_train_config_schema, &c);
  }
  tw_cfg_free(doc);
  st = tw_dist_agree(dist, st);
  if (st == TW_OK && dist->rank == 0) train_summary(path, &rep);
  return tw_cli_job_exit(dist, st, rep.signal);
}

int tw_cmd_gan_train(int argc, char **argv) { return tw_cli_job_command_resumable("gan train", argc, argv, run_train); }

/* "I invalid (rate x: ...)": what the validity checks refused of the rows drawn. */
static void print_invalid(const tw_gan_validity_stats *s) {
  printf("%lld invalid (rate %.4f: %lld out of range, %lld without a steady state)\n", (long long)s->invalid,
         tw_gan_invalid_rate(s), (long long)s->out_of_range, (long long)s->no_steady);
}

/* "D drawn in R rounds, I invalid (...)": the redraws. */
static void print_redraws(const tw_gan_validity_stats *s) {
  printf("%lld drawn in %d rounds, ", (long long)s->drawn, s->rounds);
  print_invalid(s);
}

static void sample_summary(const tw_gan_sample_args *a, const tw_gan_sample_report *r) {
  const tw_gan_validity_stats *s = &r->stats;
  printf("%lld valid rows%s%s: ", (long long)r->n, a->condition ? " with " : "", a->condition ? a->condition : "");
  print_redraws(s);
  if (a->condition && a->conditioning == TW_GAN_CONDITION_REJECT)
    printf("condition %s by rejection: %lld of %lld candidates had another category (dropped before the checks)\n",
           a->condition, (long long)s->off_condition, (long long)s->drawn);
  else if (a->condition)
    printf("condition %s: the generator's own output had another category in %lld of %lld candidates (set to it)\n",
           a->condition, (long long)r->condition_missed, (long long)s->drawn);
  printf("wrote %s (%.1f s)\n", a->output, r->seconds);
}

int tw_cmd_gan_sample(int argc, char **argv) {
  tw_gan_sample_args a = {.kind = TW_GAN_COND_ORIGINAL};
  int64_t n = 0, seed = 0, threads = 0;
  int backend = 1; /* cpu: the rows of a trial's from_generator, the same bits on any machine */
  int conditioning = TW_GAN_CONDITION_VECTOR;
  tw_opt_list models = {0};
  const tw_opt opts[] = {
      {.name = "model", .kind = TW_OPT_LIST, .dest = &models, .required = 1},
      {.name = "n", .kind = TW_OPT_INT, .dest = &n, .min = 1, .max = 1e9, .required = 1},
      {.name = "condition", .kind = TW_OPT_STRING, .dest = &a.condition},
      {.name = "conditioning", .kind = TW_OPT_CHOICE, .dest = &conditioning, .choices = tw_gan_conditioning_names},
      {.name = "seed", .kind = TW_OPT_INT, .dest = &seed, .min = 0, .max = 9007199254740992.0},
      {.name = "output", .short_name = 'o', .kind = TW_OPT_STRING, .dest = &a.output, .required = 1},
      {.name = "threads", .kind = TW_OPT_INT, .dest = &threads, .min = 0, .max = 4096},
      {.name = "force", .kind = TW_OPT_FLAG, .dest = &a.force},
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends},
  };
  int bad = tw_opts_parse_named("gan sample", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  a.n = n, a.seed = (uint64_t)seed, a.threads = (int)threads, a.backend = tw_opt_backends[backend];
  a.models = models.items, a.n_models = models.n;
  a.conditioning = (tw_gan_conditioning)conditioning;
  tw_gan_sample_report rep;
  const tw_status st = tw_gan_sample_run(&a, &rep);
  if (st != TW_OK) return tw_cli_fail(st);
  sample_summary(&a, &rep);
  return 0;
}

static void baseline_summary(const tw_gan_baseline_args *a, const tw_gan_baseline_report *r) {
  static const char *const titles[TW_GAN_BASELINE_KINDS] = {"Gaussian copula", "bootstrap", "smoothed bootstrap"};
  char smoothing[96] = "";
  if (a->kind == TW_GAN_BASELINE_SMOOTHED)
    snprintf(smoothing, sizeof smoothing, " (bandwidth %g, swap %g)", a->smoothing.bandwidth, a->smoothing.swap);
  printf("%lld %srows of the %s%s of %lld real rows%s%s (seed %llu): ", (long long)r->n,
         !r->checked || a->keep_invalid ? "" : "valid ", titles[a->kind], smoothing, (long long)r->real_rows,
         a->condition ? " with " : "", a->condition ? a->condition : "", (unsigned long long)a->seed);
  if (!r->checked) printf("not checked (the cohort records no pack)\n");
  else if (a->keep_invalid) printf("invalid rows kept, "), print_invalid(&r->stats);
  else print_redraws(&r->stats);
  printf("wrote %s (%.1f s)\n", a->output, r->seconds);
}

/* --bandwidth and --swap: a smoothed bootstrap's, its defaults when not given; refused for another kind. */
static int baseline_smoothing(tw_gan_baseline_args *a, double bandwidth, double swap) {
  const int given = !isnan(bandwidth) || !isnan(swap);
  if (given && a->kind != TW_GAN_BASELINE_SMOOTHED) {
    fprintf(stderr, "twinscale gan baseline: --%s: only --kind smoothed_bootstrap takes it\n",
            isnan(bandwidth) ? "swap" : "bandwidth");
    return 2;
  }
  a->smoothing = TW_GAN_SMOOTHING_DEFAULT;
  if (!isnan(bandwidth)) a->smoothing.bandwidth = bandwidth;
  if (!isnan(swap)) a->smoothing.swap = swap;
  return 0;
}

int tw_cmd_gan_baseline(int argc, char **argv) {
  tw_gan_baseline_args a = {0};
  int64_t n = 0, seed = 0, threads = 0;
  int kind = 0;
  double bandwidth = NAN, swap = NAN;
  const tw_opt opts[] = {
      {.name = "real", .kind = TW_OPT_STRING, .dest = &a.real, .required = 1},
      {.name = "kind", .kind = TW_OPT_CHOICE, .dest = &kind, .choices = tw_gan_baseline_names, .required = 1},
      {.name = "bandwidth", .kind = TW_OPT_NUMBER, .dest = &bandwidth, .min = 0, .max = 100},
      {.name = "swap", .kind = TW_OPT_NUMBER, .dest = &swap, .min = 0, .max = 1},
      {.name = "n", .kind = TW_OPT_INT, .dest = &n, .min = 1, .max = 1e9, .required = 1},
      {.name = "condition", .kind = TW_OPT_STRING, .dest = &a.condition},
      {.name = "seed", .kind = TW_OPT_INT, .dest = &seed, .min = 0, .max = 9007199254740992.0},
      {.name = "output", .short_name = 'o', .kind = TW_OPT_STRING, .dest = &a.output, .required = 1},
      {.name = "keep-invalid", .kind = TW_OPT_FLAG, .dest = &a.keep_invalid},
      {.name = "threads", .kind = TW_OPT_INT, .dest = &threads, .min = 0, .max = 4096},
      {.name = "force", .kind = TW_OPT_FLAG, .dest = &a.force},
  };
  int bad = tw_opts_parse_named("gan baseline", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  a.kind = (tw_gan_baseline_kind)kind, a.n = n, a.seed = (uint64_t)seed, a.threads = (int)threads;
  if ((bad = baseline_smoothing(&a, bandwidth, swap))) return bad;
  tw_gan_baseline_report rep;
  const tw_status st = tw_gan_baseline_run(&a, &rep);
  if (st != TW_OK) return tw_cli_fail(st);
  baseline_summary(&a, &rep);
  return 0;
}
#endif
#else
typedef int tw_cmd_gan_unavailable; /* the command reads HDF5 cohort files */
#endif
