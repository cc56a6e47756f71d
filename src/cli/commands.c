/*
** commands.c: the table of twinscale commands, in the order --help lists them.
**
** Entries that need an optional part of the build are guarded by its flag, so a
** command is either present and working or absent.
*/
#include "cli/cli.h"

#include "build_info.h" /* TW_HAVE_* flags guarding entries */

const tw_command tw_commands[] = {
#if TW_HAVE_YAML && TW_HAVE_HDF5
    {NULL, "simulate", "run mechanistic twins (t1d, pbpk) through a scenario into an HDF5 file",
     "usage: twinscale simulate CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force] [--resume]\n\n"
     "Reads the `simulate` config CONFIG (pack, twins, duration_min, precision, integrator,\n"
     "scenario, sensor, backend, output, seed; every key in docs/simulate.md), runs every twin\n"
     "on the run engine (docs/run.md) and writes output.path: /twins/name, /time_min,\n"
     "/trajectories/<observable> (twins, duration/every+1), /summary/<observable>/{mean,min,max},\n"
     "/status/flag and /status/fail_minute. Under mpirun or srun each rank runs and writes its\n"
     "own chunks of twins; trajectories stream out in time blocks within output.buffer_mb.\n"
     "A twin whose integration fails is named on stderr and flagged; the others complete.\n"
     "The output path is checked before any work. Exit status: 0; 2 bad input, one line naming\n"
     "FILE:LINE:COLUMN, the table cell or the --set (or backend: cuda without a GPU); 1 other\n"
     "failures; 130/143/138 stopped by SIGINT/SIGTERM/SIGUSR1: the chunks finished stay in\n"
     "PATH.partial, listed in PATH.resume, and --resume goes on from them.\n\n"
     "  --set KEY=VALUE    sets a config key (dotted: output.every_min=5), checked like the\n"
     "                     file; repeatable, before or after CONFIG\n"
     "  -o, --output PATH  the results file (the same as --set output.path=PATH)\n"
     "  --force            replace an existing results file even when it is not writable\n"
     "  --resume           go on from the record of a stopped run of this config (PATH.resume)\n"
     "                     when there is one; else start from the beginning\n",
     tw_cmd_simulate},
    {NULL, "trial", "run an in-silico trial: arms, endpoints while simulating, statistics, summary.json, report.html",
     "usage: twinscale trial CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force] [--resume]\n\n"
     "Reads the `trial` config CONFIG (the simulate keys, plus design, arms, reference_arm,\n"
     "warmup_min, endpoints, responders, output; every key in docs/trial.md). Every twin runs\n"
     "every arm (crossover) or its randomised arm (parallel) on the run engine; endpoints are\n"
     "computed per twin and arm while it runs. Writes output.path (/endpoints/<name> (twins,\n"
     "arms), /arms/name, /assignment/arm, /cohort/..., /trajectories/<observable> for the\n"
     "first output.trajectories.twins), then summary.json and report.html beside it (or where\n"
     "output.summary and output.report say): per-arm statistics, comparisons with the\n"
     "reference arm (t tests, rank tests, responders, Kaplan-Meier, log-rank, Cox).\n"
     "Exit status: 0; 2 bad input, one line naming FILE:LINE:COLUMN or the file and row;\n"
     "1 other failures; 130/143/138 stopped by SIGINT/SIGTERM/SIGUSR1: the chunks finished\n"
     "stay in PATH.partial, listed in PATH.resume, and --resume goes on from them.\n\n"
     "  --set KEY=VALUE    sets a config key (dotted: design.type=parallel), checked like the\n"
     "                     file; repeatable, before or after CONFIG\n"
     "  -o, --output PATH  the results file (the same as --set output.path=PATH)\n"
     "  --force            replace an existing results file even when it is not writable\n"
     "  --resume           go on from the record of a stopped run of this config (PATH.resume)\n"
     "                     when there is one; else start from the beginning\n",
     tw_cmd_trial},
    {NULL, "train", "train the neural twin on simulated trajectories: BPTT, AdamW, checkpoints, data-parallel",
     "usage: twinscale train CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force] [--resume]\n\n"
     "Reads the `train` config CONFIG (pack, data.files: simulate results written with\n"
     "output.states: true; model, window, optimizer, steps, batch, rollout, checkpoint, output;\n"
     "every key in docs/training.md) and trains the graph-recurrent twin: windows of\n"
     "context + horizon steps, teacher forcing with a scheduled share rolled out on the model's\n"
     "own state, AdamW with warm-up and cosine decay, gradient clipping. Under mpiexec every\n"
     "rank takes its share of each step's gradient groups; the weights are the same bits for any\n"
     "rank and thread count. Writes output.path (weights under PyTorch names, sizes, scalers,\n"
     "training curve). A checkpoint is written every checkpoint.every steps and on SIGINT,\n"
     "SIGTERM or SIGUSR1, after the step in progress; --resume continues from it bit for bit.\n"
     "Exit status: 0; 2 bad input (the file, dataset, twin and step); 1 other failures;\n"
     "128 + the signal when stopped (checkpoint written): 130, 143, 138.\n\n"
     "  --set KEY=VALUE    sets a config key (dotted: optimizer.lr=1e-3), checked like the file\n"
     "  -o, --output PATH  the model file (the same as --set output.path=PATH)\n"
     "  --force            accepted for symmetry with `simulate`\n"
     "  --resume           continue from the checkpoint when there is one (else start at step 0)\n",
     tw_cmd_train},
    {NULL, "evaluate", "rollout errors of a learned twin against simulated truth, beside persistence",
     "usage: twinscale evaluate --model M.h5 --data D.h5 --json E.json [--backend auto|cpu|cuda]\n\n"
     "Runs the model file M (from `twinscale train`) on every twin of D, a simulate results\n"
     "file written with output.states: true and the model's pack and step: at forecast origins\n"
     "every 60 minutes the model is fed the true state of the preceding context steps and of\n"
     "the origin, then rolls out on its own state and D's inputs. Writes E: for the pack's\n"
     "glucose observable (bg) {\"rmse\": {\"30\": x, \"60\": x, \"120\": x}, \"mae\": {...},\n"
     "\"persistence_rmse\": {...}, \"n_origins\": k, ...}, and the same per observable under\n"
     "\"observables\"; persistence holds the observable at its origin value.\n"
     "Exit status: 0; 2 bad input (a file from another pack or step, no /states, NaN in the\n"
     "data, wrong shapes: the file, dataset and twin named); 1 other failures.\n",
     tw_cmd_evaluate},
    {"cohort", "generate", "draw a virtual cohort: covariates (Gaussian copula), conditions, pack parameters",
     "usage: twinscale cohort generate CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force]\n\n"
     "Reads the `cohort` config CONFIG (size, seed, covariates, correlation, conditions,\n"
     "parameters, output; every key in docs/cohorts.md), draws every twin from Philox keyed by\n"
     "the seed and the twin id, and writes output.path: /cohort/id, /cohort/covariates/<name>,\n"
     "/cohort/conditions/<name>, /cohort/subgroup, /cohort/parameters/<pack>.<param>,\n"
     "/cohort/reference. Prints per covariate mean, sd, min and max, and each prevalence.\n"
     "Under mpirun or srun each rank draws a block of twin ids and rank 0 writes: the same file.\n"
     "The output path is checked before any draw. Exit status: 0; 2 bad input (one line\n"
     "naming FILE:LINE:COLUMN, the output path, or the twin whose parameters stayed out of\n"
     "range); 1 other failures.\n\n"
     "  --set KEY=VALUE    sets a config key (dotted), checked like the file; repeatable\n"
     "  -o, --output PATH  the cohort file (the same as --set output.path=PATH)\n"
     "  --force            replace an existing cohort file even when it is not writable\n",
     tw_cmd_cohort_generate},
    {"cohort", "import", "real twins from EHR exports: Synthea or person CSV, imputed covariates, pack parameters",
     "usage: twinscale cohort import CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force]\n\n"
     "Reads the `import` config CONFIG (source, reference_date, salt_env, keep_deceased, and the\n"
     "cohort model: seed, pack, covariates, correlation, parameters, output; docs/import.md).\n"
     "Imports the persons of a Synthea CSV export or a person CSV at the reference date under\n"
     "pseudonyms keyed by the salt in the environment variable salt_env names, imputes missing\n"
     "covariates from the model's copula, draws each person's pack parameters as `cohort\n"
     "generate` does, and writes output.path in the cohort layout (/cohort/id the pseudonyms,\n"
     "/cohort/covariates/<name>, /cohort/imputed/<name>, /cohort/conditions/<name>,\n"
     "/cohort/parameters/<pack>.<param>, /cohort/reference) for `simulate` and `trial`.\n"
     "Prints per covariate mean, sd, min, max and the share imputed, and each prevalence.\n"
     "Exit status: 0; 2 bad input (one line: FILE:LINE:COLUMN of the config or of the input\n"
     "file, an unset salt variable, no persons left); 1 other failures.\n\n"
     "  --set KEY=VALUE    sets a config key (dotted), checked like the file; repeatable\n"
     "  -o, --output PATH  the cohort file (the same as --set output.path=PATH)\n"
     "  --force            replace an existing cohort file even when it is not writable\n",
     tw_cmd_cohort_import},
#endif
#if TW_HAVE_HDF5
    {"twin", "import", "a person's own records (CSV or Nightscout) for personal twins: CGM, meals, insulin",
     "usage: twinscale twin import --records PATH [--persons PATH] --salt-env VAR -o|--output PATH\n"
     "                             [--json PATH] [--gap-min MIN] [--person-id ID] [--weight-kg KG]\n\n"
     "Reads a person's records (docs/personal-twins.md): PATH is a long CSV\n"
     "`person_id,time,kind,value,unit` (time ISO 8601 with its UTC offset; kinds cgm in mg/dL or\n"
     "mmol/L, carbs g, bolus U, basal_rate U/h holding until the next) or a Nightscout export\n"
     "folder (entries.json and treatments.json). Times become minutes from each person's first\n"
     "record (UTC); mmol/L x 18.0156 = mg/dL. Duplicates (identical merged, conflicting left\n"
     "out), CGM gaps, overlapping basal records, unitless CGM values fitting no single unit, a\n"
     "person without CGM: counted per person and reason and flagged, never dropped silently.\n"
     "Ids leave pseudonymised: hex(HMAC-SHA-256(salt, id)). Writes the records file the fit reads\n"
     "(/persons/..., /cgm, /carbs, /bolus, /basal, /gaps, /report) and prints what was used and\n"
     "what was left out. Exit status: 0; 2 bad input (one line: FILE:LINE:COLUMN, FILE: record N\n"
     "(line L), an unset or short salt, no person with a usable CGM sample; no records file then);\n"
     "1 other failures.\n\n"
     "  --records PATH     the long CSV, or a Nightscout export folder\n"
     "  --persons PATH     the persons CSV: person_id,weight_kg[,age_y,sex,height_cm]\n"
     "  --salt-env VAR     the environment variable holding the pseudonym salt (at least 16 bytes)\n"
     "  -o, --output PATH  the records file (HDF5)\n"
     "  --json PATH        the import report: per person and reason the counts and the first\n"
     "                     file and line or record (written also when the input is unusable)\n"
     "  --gap-min MIN      CGM gaps longer than MIN minutes are reported (default 30)\n"
     "  --person-id ID     Nightscout: the person's source id (default: the folder's name)\n"
     "  --weight-kg KG     Nightscout without --persons: the person's body weight\n",
     tw_cmd_twin_import},
    {"twin", "fit", "fit personal twins to their records: batched MAP of t1d parameters, predicted CGM",
     "usage: twinscale twin fit CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force]\n\n"
     "Reads the `twin_fit` config CONFIG (records, persons, salt_env, person_id, weight_kg,\n"
     "fit_days, parameters, max_iter, predict_every, output; docs/personal-twins.md, \"Fit\"):\n"
     "records is the records file written by `twinscale twin import`, or a long CSV or a\n"
     "Nightscout folder imported first as `twin import` does (the salt read from the\n"
     "environment variable salt_env names). Fits every person's t1d parameters (default Vmx, kp1, kp3,\n"
     "kabs, kmax) to the CGM of days fit_days [first, last] (1-based, inclusive, from each\n"
     "person's first record) from the logged carbohydrate, boluses and basal: the maximum a\n"
     "posteriori under the log-normal prior of the 30 UVA/Padova reference patients and a\n"
     "Gaussian CGM error (sigma 11.7 mg/dL), all persons' Levenberg-Marquardt iterations in one\n"
     "batched simulation each. The twin starts at the first CGM sample of the window with its\n"
     "insulin at steady state under the basal rate. Writes output.path: /persons/id,\n"
     "/fit/<param>/map, /fit/flag (1 not converged, 2 no CGM in fit_days, 4 simulation failed,\n"
     "8 poor fit: RMS residual above 3 sigma), /fit/iterations, /fit/rms_mgdl, /fit/nlp,\n"
     "/prediction/cgm (persons, T) from the MAP over the whole record and /prediction/time_min\n"
     "(T), minutes from each person's first record; root attribute `identifiable`. A flagged\n"
     "person is written with its flag, never left out. Exit status: 0; 2 bad input (the config's\n"
     "FILE:LINE:COLUMN, an unknown or unfittable parameter, a records file that is not one, no\n"
     "person with CGM); 1 other failures.\n\n"
     "  --set KEY=VALUE    override a config key (dotted, YAML value)\n"
     "  -o, --output PATH  the fitted-twins file (same as --set output.path=PATH)\n"
     "  --force            replace an existing output file even when it is not writable\n",
     tw_cmd_twin_fit},
    {"twin", "replay", "what-if therapy on fitted twins: recorded days re-run with changed boluses or basal",
     "usage: twinscale twin replay --twins T.h5 --records R --scenario S.yaml -o|--output PATH\n"
     "                             [--person ID] [--persons P.csv --salt-env VAR] [--force]\n\n"
     "Re-runs every fitted person of T (from `twinscale twin fit`) over their recorded days twice\n"
     "from the twin's parameters: under the recorded therapy and under the `twin_replay` scenario S\n"
     "(bolus_scale, basal_scale or basal_u_per_h, or a controller in the loop: none, bb, pid or a\n"
     "library; days: [first, last]; docs/personal-twins.md, \"Replay\"), both from the same\n"
     "starting state with the same meals, and scores both with the trial's glucose endpoints\n"
     "(docs/endpoints.md). Writes PATH: /persons/id, /replay/status,\n"
     "/replay/<endpoint>/{recorded,changed,difference}, and with posterior draws in T\n"
     "(/fit/draws/<param>) each also _q05, _q50, _q95 over the draws; without draws the MAP only,\n"
     "said in the attribute replay_bands and on the terminal. Flagged fits are skipped and named.\n"
     "Exit status: 0; 2 bad input (a file that is not a twins file, an unknown scenario key at\n"
     "FILE:LINE:COLUMN, --person not in T, a fitted person missing from the records); 1 other failures.\n\n"
     "  --twins PATH       the fitted-twins file\n"
     "  --records PATH     the records file the fit read (or, with --salt-env, the long CSV or\n"
     "                     Nightscout folder, imported with the fit's salt)\n"
     "  --scenario PATH    the `twin_replay` config: the changed therapy\n"
     "  -o, --output PATH  the replay file (HDF5)\n"
     "  --person ID        only this person (a pseudonym of T)\n"
     "  --persons PATH     with --salt-env: the persons CSV of a CSV import\n"
     "  --salt-env VAR     import the records with the salt in this environment variable\n"
     "  --force            replace an existing output file even when it is not writable\n",
     tw_cmd_twin_replay},
    {"gan", "train", "train the conditional tabular GAN (CTGAN) on a cohort file",
     "usage: twinscale gan train CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force] [--resume]\n\n"
     "Reads the `gan_train` config CONFIG (cohort, steps, batch, seed, network, optimizer,\n"
     "critic_steps, threads, backend, checkpoint, output; every key in docs/gan.md, \"Commands\").\n"
     "Every dataset under /cohort/covariates/, /cohort/parameters/ and /cohort/conditions/ of the\n"
     "cohort is a column (float continuous, integer and string discrete); the GAN conditions on\n"
     "the discrete ones. Fits the data transformer, trains CTGAN's generator and PacGAN critic\n"
     "(WGAN-GP, Adam) on the backend (auto: CUDA device 0 when one is visible, else the CPU) and\n"
     "writes output.path: /transformer, /generator, /critic, /train (step, Adam's moments, loss\n"
     "curves) and the config text. The output path is checked before any work. Exit status: 0;\n"
     "2 bad input (one line: a config error at FILE:LINE:COLUMN, a cohort that is not a cohort\n"
     "file or has no discrete column, backend: cuda without a GPU); 1 other failures;\n"
     "130/143/138 stopped by SIGINT/SIGTERM/SIGUSR1 after the step in hand: the state is in the\n"
     "checkpoint (checkpoint.path, default PATH.ckpt) and --resume goes on from it.\n\n"
     "  --set KEY=VALUE    sets a config key (dotted: network.pac=10), checked like the file\n"
     "  -o, --output PATH  the model file (the same as --set output.path=PATH)\n"
     "  --force            replace an existing model file even when it is not writable\n"
     "  --resume           go on from the checkpoint of a stopped run of this config\n",
     tw_cmd_gan_train},
    {"gan", "sample", "sample a synthetic cohort from a GAN model, optionally conditioned",
     "usage: twinscale gan sample --model G.h5 [--model G2.h5 ...] --n N\n"
     "                            [--condition NAME=VALUE [--conditioning vector|reject]]\n"
     "                            [--seed S] -o|--output C.h5 [--threads T] [--backend B] [--force]\n\n"
     "Draws N valid rows from the generator of G.h5 (written by `gan train`): each candidate is\n"
     "decoded and its pack parameters checked against their ranges and the steady-state rule of\n"
     "`cohort generate`; invalid ones are redrawn, and the invalid rate is printed and stored in\n"
     "C.h5's attributes. Writes C.h5 as a cohort file that `simulate` and `trial` take as twins.\n"
     "The rows depend on the model, the seed and the condition only (not on T).\n"
     "Exit status: 0; 2 bad input (one line: a model file that is missing or not a GAN model,\n"
     "a model of another cohort file than the first, N < 1, an unknown condition column or\n"
     "value); 1 other failures.\n\n"
     "  --model PATH          the GAN model file; given K times (models `gan train` wrote from one\n"
     "                        cohort file, with other seeds), an ensemble: candidate g is model\n"
     "                        g mod K's, so each gives 1/K of the candidates (docs/gan.md,\n"
     "                        \"Training seeds and ensembles\")\n"
     "  --n N                 valid rows wanted (>= 1)\n"
     "  --condition NAME=VALUE  every row has this category of discrete column NAME (sex=1,\n"
     "                        retinopathy=1); without it each row's condition is drawn with\n"
     "                        the training data's frequencies\n"
     "  --conditioning M      vector (default, CTGAN's): every candidate is generated for the\n"
     "                        condition; reject: candidates are generated as without one and only\n"
     "                        those the generator gave the condition are kept (the generator's joint\n"
     "                        distribution given it, at about 1 / its share more generator rows;\n"
     "                        docs/gan.md)\n"
     "  --seed S              the sampling key (0 to 2^53; default 0)\n"
     "  -o, --output PATH     the cohort file (written whole or not at all)\n"
     "  --threads T           OpenMP threads (default: the default team)\n"
     "  --backend B           auto, cpu or cuda: where the generator runs (default cpu: the rows of\n"
     "                        a trial's from_generator, the same bits on every machine; on a GPU\n"
     "                        they agree within float rounding)\n"
     "  --force               replace an existing output even when it is not writable\n",
     tw_cmd_gan_sample},
    {"gan", "baseline", "write a report baseline's rows (Gaussian copula, bootstrap, smoothed bootstrap) as a cohort file",
     "usage: twinscale gan baseline --real R.h5 --kind gaussian_copula|bootstrap|smoothed_bootstrap --n N\n"
     "                              -o|--output B.h5 [--bandwidth H] [--swap P] [--condition NAME=VALUE]\n"
     "                              [--seed S] [--keep-invalid] [--threads T] [--force]\n\n"
     "Fits the baseline `gan report` measures on the rows of the cohort R.h5 (with --condition,\n"
     "on its rows of that category, as when the report's real cohort is that subgroup) and\n"
     "writes N of its rows as B.h5, a cohort file that `simulate` and `trial` take as twins; a\n"
     "trial on it gives the baseline's utility in `gan report` (docs/gan.md, \"Utility\"). The rows are\n"
     "those of the report's draw with the same seed (its draw k is seed S + k), each checked as\n"
     "`gan sample` checks a twin (its pack parameters in range, a steady state at the basal rate\n"
     "by cohort generate's default rule) and, when invalid, redrawn from the same sequence: the\n"
     "first N valid rows. The invalid rate is printed and stored in B.h5's attributes.\n"
     "Exit status: 0; 2 bad input (one line: R.h5 missing or not a cohort file, an unknown\n"
     "kind, N < 1, a condition that names no discrete column or a value no row has, --bandwidth\n"
     "or --swap with another kind); 1 other failures.\n\n"
     "  --real PATH           the cohort the baseline is fitted on (the report's real cohort)\n"
     "  --kind K              gaussian_copula, bootstrap or smoothed_bootstrap (real rows with\n"
     "                        Gaussian noise on the continuous columns, docs/gan.md)\n"
     "  --bandwidth H         the smoothed bootstrap's noise, in standard deviations of each\n"
     "                        column (log space where positive; 0 to 100, default 1)\n"
     "  --swap P              the smoothed bootstrap's chance that a discrete cell takes another\n"
     "                        real row's value (0 to 1, default 0.3)\n"
     "  --n N                 rows written (>= 1)\n"
     "  --condition NAME=VALUE  fit on the rows whose discrete column NAME has VALUE only\n"
     "  --seed S              the draw's key (0 to 2^53; default 0)\n"
     "  -o, --output PATH     the cohort file (written whole or not at all)\n"
     "  --keep-invalid        write the draw's first N rows as they are (the rows the report\n"
     "                        scored), invalid ones counted but not redrawn\n"
     "  --threads T           OpenMP threads of the checks (default: the default team)\n"
     "  --force               replace an existing output even when it is not writable\n",
     tw_cmd_gan_baseline},
    {"gan", "report", "fidelity and privacy of a synthetic cohort against the real one, as SDMetrics measures them",
     "usage: twinscale gan report --real R.h5 --synthetic S.h5 --holdout H.h5 --json Q.json\n"
     "                            [--html P.html] [--seed S] [--seeds K]\n"
     "                            [--trials RT.h5,ST.h5,HT.h5 --endpoint NAME [--arm ARM]\n"
     "                             [--baseline-trials gaussian_copula=CT.h5[,CT2.h5...]]]\n\n"
     "Reads three cohort files (every dataset under /cohort/covariates/ and /cohort/parameters/\n"
     "is a column: float continuous, integer and string discrete; the synthetic and holdout\n"
     "files must have the real one's columns) and writes Q.json with SDMetrics 0.32.0's\n"
     "definitions (docs/gan.md): \"quality\" (score, column_shapes: KSComplement or TVComplement\n"
     "per column; column_pair_trends: CorrelationSimilarity or ContingencySimilarity per pair,\n"
     "null where the real data's correlation or association is below the QualityReport's\n"
     "threshold), \"holdout_quality\" (score and both properties with the holdout as the real\n"
     "table), \"diagnostic\" (boundary_adherence, category_adherence per column) and\n"
     "\"privacy\" (new_row_synthesis; dcr_overfitting_protection: real vs holdout, every row;\n"
     "dcr_baseline_protection: against random rows drawn from Philox keyed by S), then\n"
     "\"seeds\" and \"baselines\": the same numbers for a Gaussian copula fitted on the real\n"
     "rows and for bootstrap rows, each drawn K times (seeds S..S+K-1), as mean, sd, min, max.\n"
     "Exit status: 0; 2 bad input (a file that is not a cohort file, a column missing, extra\n"
     "or of another kind in one file, an empty table: one line naming the file and column;\n"
     "an output folder missing or not writable; a trials option without --trials and\n"
     "--endpoint, a results file that is not one or lacks the endpoint or arm);\n"
     "1 other failures.\n\n"
     "  --real PATH       the real (training) cohort\n"
     "  --synthetic PATH  the synthetic cohort\n"
     "  --holdout PATH    real twins the generator did not see\n"
     "  --json PATH       the report written (replaced only once it is whole)\n"
     "  --html PATH       also report.html: one self-contained page, the baselines side by side\n"
     "  --seed S          the first seed: DCRBaselineProtection's random rows and the baselines\n"
     "                    (0 to 2^53; default 0)\n"
     "  --seeds K         draws of the baselines and of the random rows (0 to 1000; default 5;\n"
     "                    0: no baselines, the JSON's first three keys only)\n"
     "  --trials R,S,H    trial results files run on the real, synthetic and holdout cohorts:\n"
     "                    adds \"utility\", R^2 on the holdout twins of a ridge regression of\n"
     "                    the endpoint on the covariates and parameters, trained on each\n"
     "  --endpoint NAME   the endpoint (/endpoints/NAME of the results files)\n"
     "  --arm ARM         its arm (default: the first)\n"
     "  --baseline-trials gaussian_copula=CT.h5[,...]\n"
     "                    trial results files run on Gaussian copula cohorts of `gan\n"
     "                    baseline` (seeds S, S+1, ... give the report's draws): the copula's\n"
     "                    utility, R^2 trained on each, as mean, sd, min, max (else null)\n",
     tw_cmd_gan_report},
#endif
#if TW_HAVE_YAML && TW_HAVE_HDF5
#endif
#if TW_HAVE_HDF5
    {"nn", "forward", "run the neural twin (GRT) forward on an HDF5 batch",
     "usage: twinscale nn forward --model M.h5 --input X.h5 --output Y.h5 [--backend auto|cpu|cuda]\n\n"
     "Runs the graph-recurrent twin model in M.h5 (PyTorch state_dict names, sizes as root\n"
     "attributes; docs/grt.md) teacher-forced over the inputs of X.h5:\n"
     "  /x (B,T,N,F) float32, /adj (N,N) shared or (B,N,N) per twin, optional /h0, /c0 (B,N,Hr).\n"
     "Writes Y.h5: /y (B,T,N,O), /h and /c (B,N,Hr), the state after the last step.\n"
     "A shape that does not fit the model, a missing dataset, NaN or Inf: exit 2.\n"
     "--backend (default cpu) says where; the first line names the backend that ran and why.\n",
     tw_cmd_nn_forward},
    {"nn", "grad", "MSE loss and its gradient for every GRT weight and the inputs",
     "usage: twinscale nn grad --model M.h5 --input X.h5 --target T.h5 --output G.h5 [--backend auto|cpu|cuda]\n\n"
     "Runs the GRT forward on X.h5 (as `nn forward`), the loss against T.h5's /y (B,T,N,O),\n"
     "mean over all output elements, or sum(mask*(y-t)^2)/sum(mask) with T.h5's optional /mask,\n"
     "and backpropagation through time. Writes G.h5: root attribute `loss`, one dataset per\n"
     "weight under its PyTorch name holding its gradient, and /x_grad (B,T,N,F).\n"
     "--backend (default cpu) as in `nn forward`.\n",
     tw_cmd_nn_grad},
    {"nn", "init", "write a GRT model with PyTorch's default initialisation",
     "usage: twinscale nn init --sizes N,F,H,Hr,L,M,O --seed S --output M.h5\n\n"
     "Writes a model file with every weight and bias drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in))\n"
     "as torch.nn.Linear and torch.nn.LSTMCell do (LSTM: 1/sqrt(Hr)), from Philox keyed by S\n"
     "(a whole number from 0 to 2^63-1). Each size is from 1 to 2^20.\n",
     tw_cmd_nn_init},
#endif
#if TW_HAVE_YAML
    {"config", "check", "validate a config of any kind and print it normalised",
     "usage: twinscale config check FILE [--set KEY=VALUE]... [-o|--output PATH] [--force]\n\n"
     "Reads the YAML config FILE, finds its kind (its `kind:` key, or a key only that kind\n"
     "has), checks every key, type, range and required key against that kind's schema, and\n"
     "prints the config normalised: every key in schema order, defaults filled in, units as\n"
     "comments. The output is itself a valid config. Any problem is one line naming\n"
     "FILE:LINE:COLUMN, and the exit status is 2. Conventions: docs/configs.md.\n\n"
     "  --set KEY=VALUE    sets a key before the check (dotted keys; repeatable)\n"
     "  -o, --output PATH  sets output.path, as in `simulate`\n"
     "  --force            accepted as in `simulate`; check writes no results, so it changes nothing\n",
     tw_cmd_config_check},
#endif
    {"bench", "physio", "time the t1d model: patient-days/s per core, float32/float64, with/without CGM noise",
     "usage: twinscale bench physio [--twins N] [--days D] [--threads T] [--integrator rk4|dopri5]\n"
     "                              [--backend auto|cpu|cuda]\n\n"
     "Integrates N copies of the 30 reference patients (default N=3840) for D days (default 1)\n"
     "under a fixed meal/bolus scenario with 1-minute inputs, through the same engine as\n"
     "`simulate`, for float32 and float64, without and with CGM noise (Dexcom). Prints\n"
     "patient-days/s, per core, and GFLOP/s (FLOPs counted per RHS evaluation).\n"
     "scripts/compare-simglucose.sh times simglucose's T1DPatient in the same run.\n"
     "--backend (default cpu) says where; the first line names the backend that ran and why.\n"
     "On cuda the rows time the physiology kernel alone (no sampling or sensor yet).\n",
     tw_cmd_bench_physio},
    {"bench", "nn", "time the neural twin (GRT) forward and forward+backward on the reference model",
     "usage: twinscale bench nn [--batch B1,B2,..] [--backend cpu|cuda] [--threads N] [--steps T]\n"
     "                          [--repeats R] [--mode forward|train|both] [--chunk C] [--device I]\n\n"
     "Times the GRT (N=10 F=16 H=64 Hr=64 L=2 M=64 O=4, random model and inputs, per-twin\n"
     "adjacency) for each batch size: one warm-up call, then R timed calls; prints the median's\n"
     "twin-steps/s and GFLOP/s (forward: 972,800 FLOP per twin-step; forward+backward: 3x).\n"
     "scripts/compare-pytorch.sh compares with PyTorch in the same run.\n\n"
     "  --batch    batch sizes (default 1024,8192,65536)\n"
     "  --backend  cpu (default) or cuda\n"
     "  --threads  OpenMP threads on the cpu (default: OMP_NUM_THREADS or all cores)\n"
     "  --steps    sequence length T (default 24)\n"
     "  --repeats  R timed calls (default 3)\n"
     "  --mode     forward, train (forward+backward of the MSE loss) or both (default)\n"
     "  --chunk    twins per workspace chunk (default: 16 on the cpu; on a GPU the batch, at most the\n"
     "             twins whose products index within int: 34,952 for the reference model, T=24)\n"
     "  --device   CUDA device index (default 0)\n",
     tw_cmd_bench_nn},
    {"bench", "gan", "time the GAN's training steps (CTGAN's networks) on a backend, without a cohort file",
     "usage: twinscale bench gan [--backend cpu|cuda] [--threads N] [--device I] [--batch B]\n"
     "                           [--steps S] [--repeats R] [--continuous C] [--modes M]\n"
     "                           [--discrete D] [--categories K]\n\n"
     "Trains CTGAN's networks through `gan train`'s trainer (critic with gradient penalty,\n"
     "generator, Adam) on random rows drawn per step on the host, for a layout of C continuous\n"
     "columns (a tanh offset and an M-mode one-hot each) and D discrete columns of K\n"
     "categories, all conditioned: by default 51 x (1 + 7) + 4 x 2 = 416 floats, close to the\n"
     "rare-condition cohort of docs/gan.md (410). 3 warm-up steps, then R windows of S steps;\n"
     "prints the median window's steps/s and rows/s. For a GPU machine without HDF5, where\n"
     "`gan train` cannot read a cohort.\n\n"
     "  --backend     cpu (default) or cuda\n"
     "  --threads     OpenMP threads on the cpu (default: OMP_NUM_THREADS or all cores)\n"
     "  --device      CUDA device index (default 0)\n"
     "  --batch       rows per step, a multiple of pac 10 (default 500, CTGAN's)\n"
     "  --steps       steps per timed window (default 20)\n"
     "  --repeats     timed windows (default 3)\n"
     "  --continuous  continuous columns (default 51)\n"
     "  --modes       mixture components per continuous column (default 7)\n"
     "  --discrete    discrete columns, each conditioned (default 4)\n"
     "  --categories  categories per discrete column (default 2)\n",
     tw_cmd_bench_gan},
    {"bench", "gemm", "time a large square GEMM: the machine's measured GEMM ceiling",
     "usage: twinscale bench gemm [--backend cpu|cuda] [--dtype f32|f64] [--math fp32|tf32|bf16]\n"
     "                            [--size N] [--repeats R] [--device I]\n\n"
     "Times C = A B for square N x N matrices through the backend's GEMM (OpenBLAS or the\n"
     "reference GEMM on the CPU, cuBLAS on a GPU): 2 warm-up products, then R timed ones,\n"
     "each synchronised; prints the median time and 2 N^3 / median in GFLOP/s on its last\n"
     "line. 64 random entries of C are checked against float64 dot products first.\n\n"
     "  --backend  cpu (default) or cuda\n"
     "  --dtype    f32 (default) or f64\n"
     "  --math     fp32 (default); tf32 or bf16 tensor-core modes (cuda, f32 only)\n"
     "  --size     N (default 2048 on cpu, 4096 on cuda)\n"
     "  --repeats  R timed products (default 5 on cpu, 20 on cuda)\n"
     "  --device   CUDA device index (default 0)\n",
     tw_cmd_bench_gemm},
    {"privacy", "epsilon", "DP-SGD privacy spent: epsilon and its RDP order after T steps (as Opacus' RDP accountant)",
     "usage: twinscale privacy epsilon --q Q --sigma S --steps T --delta D [--json]\n\n"
     "The (epsilon, delta) guarantee of T steps of DP-SGD with Poisson sampling rate Q and\n"
     "noise multiplier S: Renyi DP of the subsampled Gaussian mechanism at Opacus' 151\n"
     "default orders (integer and fractional), composed over T steps and converted by Balle\n"
     "et al. 2020; docs/privacy.md. Prints `epsilon = X (order A)`, A the best order.\n"
     "Exit status: 0; 2 bad input (Q outside (0, 1], S <= 0, T < 0, D outside (0, 1)).\n\n"
     "  --q      sampling rate, in (0, 1]\n"
     "  --sigma  noise multiplier (noise sd / clipping norm), > 0\n"
     "  --steps  steps taken, >= 0\n"
     "  --delta  the delta of the guarantee, in (0, 1)\n"
     "  --json   print {\"epsilon\": X, \"order\": A}\n",
     tw_cmd_privacy_epsilon},
    {"privacy", "sigma", "the smallest DP-SGD noise multiplier that keeps epsilon within a budget",
     "usage: twinscale privacy sigma --epsilon E --delta D --q Q --steps T [--json]\n\n"
     "The smallest noise multiplier S whose `privacy epsilon` after T steps at rate Q is at\n"
     "most E, found by bisection to 1e-7 relative (docs/privacy.md). Prints `sigma = S`.\n"
     "Exit status: 0; 2 bad input (E <= 0, Q outside (0, 1], T < 0, D outside (0, 1), or a\n"
     "budget no sigma up to 1e6 meets).\n\n"
     "  --epsilon  the budget, > 0\n"
     "  --delta    the delta of the guarantee, in (0, 1)\n"
     "  --q        sampling rate, in (0, 1]\n"
     "  --steps    steps to be taken, >= 0\n"
     "  --json     print {\"sigma\": S}\n",
     tw_cmd_privacy_sigma},
#if TW_HAVE_YAML && TW_HAVE_HDF5 && TW_HAVE_MPI && TW_HAVE_SODIUM
    {"fed", "train", "federated training of the neural twin over sites: FedAvg/FedProx, secure aggregation, audit log",
     "usage: twinscale fed train CONFIG [--set KEY=VALUE]... [-o|--output PATH] [--force] [--resume]\n\n"
     "Reads the `fed_train` config CONFIG (train: a train config whose data.files are the\n"
     "reference set; sites: name, files, ranks; federation: algorithm fedavg|fedprox, mu,\n"
     "local_steps, fraction, secure_aggregation; checkpoint; output: path, report, audit,\n"
     "payloads; docs/federated.md). Under mpirun with sites[].ranks ranks in all (or one per\n"
     "site), each site trains on its own files only; each round the sampled sites take\n"
     "local_steps steps from the global weights and send their updates, pairwise masked,\n"
     "to the leader, which sees only their sum. Writes output.path (the global model, as\n"
     "`train` writes it), the JSON report (per round: validation loss per site and on the\n"
     "reference set, bytes between sites) and the communication log (<audit>/<site>.jsonl).\n"
     "A checkpoint per site every checkpoint.every rounds and on SIGINT, SIGTERM or SIGUSR1.\n"
     "Exit status: 0; 2 bad input (a site without data, sites whose models differ, the rank\n"
     "count: one line); 1 other failures; 128 + the signal when stopped (130, 143, 138).\n\n"
     "  --set KEY=VALUE    sets a config key (dotted: federation.local_steps=5)\n"
     "  -o, --output PATH  the global model file (the same as --set output.path=PATH)\n"
     "  --force            accepted for symmetry with `simulate`\n"
     "  --resume           continue from the sites' checkpoints when there are (else round 0)\n",
     tw_cmd_fed_train},
#endif
    {NULL, "version", "show version, commit, compiled-in backends and devices",
     "usage: twinscale version\n\n"
     "Prints the twinscale version and git commit, the optional parts compiled in\n"
     "(CUDA, cuDNN, NCCL, MPI, HDF5, OpenBLAS, libyaml, OpenMP) and the CUDA devices found.\n",
     tw_cmd_version},
    /* tw-commands: new entries go above this line */
    {NULL, NULL, NULL, NULL, NULL},
};
