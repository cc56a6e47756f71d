/*
** cohort_job.c: the `cohort generate` and `cohort import` jobs, whole: check the
** output path, draw or import, write the cohort file.
**
** The output is checked first (tw_run_check_output: an existing directory that
** can be written, and, unless `force`, no existing file that is not writable),
** so that a cohort of a million twins is not drawn only to find that its file
** cannot be written. Under ranks the draw is shared out (generate.h) and rank 0
** writes; an import is small and runs whole on one process. Commands call
** these and print what they return.
** Built with HDF5 and libyaml, like the run engine it uses.
*/
#include "cohort/generate.h"
#include "cohort/import.h"

#include "run/run.h" /* tw_run_check_output */

tw_status tw_cohort_job(const tw_dist *d, const tw_cohort_config *c, const char *config_text, int force,
                        tw_cohort *out) {
  TW_TRY(tw_dist_agree(d, tw_run_check_output(c->output.path, force)));
  TW_TRY(tw_cohort_generate_ranks(d, c, 0, out));
  return tw_dist_agree(d, d->rank == 0 ? tw_cohort_write_h5(out, c, config_text, c->output.path) : TW_OK);
}

tw_status tw_import_job(const tw_import_config *c, const char *source_path, const char *salt,
                        const char *config_text, int force, tw_imported *out) {
  TW_TRY(tw_run_check_output(c->model.output.path, force));
  TW_TRY(tw_import_run(c, source_path, salt, 0, out));
  return tw_imported_write_h5(out, c, config_text, c->model.output.path);
}
