/*
** test_pack_load.c: packs that plug in through the pack table alone.
**
**   - tw_pack_validate refuses an event on an undeclared input, a repeated event
**     kind, an unknown CGM observable or body-weight parameter, a pack name that
**     is no identifier, an observable name with '/', a headline flag of 2, a
**     missing table, needs_drug without a covariates hook;
**   - a pack library built for another ABI version is refused with one line
**     naming the library and both versions, exit 2; a missing library and a
**     library without the entry symbol are refused naming the path;
**   - a library path in a config is taken relative to the config's directory;
**     loading the same path twice gives the same pack; the loaded pack passes
**     tw_pack_validate and declares its headline observables;
**   - a pack's declaration alone wires the CGM (Bergman's G) and refuses
**     scenario entries no pack takes (meals for Bergman);
**   - the built-in packs declare the headline observables `simulate` prints;
**   - run setup names no pack: sim_config_setup.c and sim_config.c hold no
**     "t1d" or "pbpk" string.
*/
#define _GNU_SOURCE /* dladdr; also mkdtemp */
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"    /* CHECK */

#include "physio/pack.h" /* tw_pack_load */

#include <dlfcn.h> /* dladdr */
#include <math.h>  /* cos, whose library is no pack */

extern const tw_pack tw_pack_t1d, tw_pack_pbpk;

/* Headline flags of observable `name` of `pack` (-1: no such observable). */
static int headline(const tw_pack *pack, const char *name) {
  const int o = tw_pack_obs_index(pack, name);
  return o < 0 ? -1 : pack->obs[o].headline;
}

static void test_builtin_headlines(void) {
  CHECK_EQ_INT(headline(&tw_pack_t1d, "bg"), 1);
  CHECK_EQ_INT(headline(&tw_pack_t1d, "plasma_insulin"), 1);
  CHECK_EQ_INT(headline(&tw_pack_t1d, "iob"), 0);
  CHECK_EQ_INT(headline(&tw_pack_pbpk, "c_plasma"), 1);
  CHECK_EQ_INT(headline(&tw_pack_pbpk, "a_body"), 1);
  CHECK_EQ_INT(headline(&tw_pack_pbpk, "c_liver"), 0);
  CHECK_EQ_STR(tw_pack_t1d.cgm_obs, "bg");
}

static void test_load_api(void) {
  const tw_pack *a = NULL, *b = NULL;
  CHECK(tw_pack_is_path(TW_BERGMAN_PACK));
  CHECK(tw_pack_is_path("libx.so") && tw_pack_is_path("./x") && !tw_pack_is_path("t1d"));
  CHECK_OK(tw_pack_load(TW_BERGMAN_PACK, &a));
  CHECK_OK(tw_pack_lookup(TW_BERGMAN_PACK, &b));
  CHECK(a != NULL && a == b);
  CHECK_EQ_STR(a->name, "bergman");
  CHECK_OK(tw_pack_validate(a));
  CHECK_EQ_INT(headline(a, "G"), 1);
  CHECK_EQ_INT(headline(a, "I"), 1);
  CHECK_EQ_INT(headline(a, "X"), 0);
  CHECK(a->advance == NULL); /* the engine's generic path integrates it */
}

/* The refusal of the pack built for ABI 0 (this twinscale's version stringified). */
#define TW_STR2(x) #x
#define TW_STR(x) TW_STR2(x)
#define ABI0_REFUSAL "libtwpack_bergman_abi0.so: pack ABI version 0, this twinscale expects " TW_STR(TW_PACK_ABI_VERSION)

static void test_refusals_api(void) {
  const tw_pack *p = NULL;
  CHECK_STATUS(tw_pack_load(TW_BERGMAN_ABI0_PACK, &p), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), ABI0_REFUSAL),
            "message: %s", tw_error_message());
  CHECK(p == NULL);
  tw_error_clear();
  Dl_info info;
  double (*fn)(double) = cos;
  void *addr;
  memcpy(&addr, &fn, sizeof addr); /* POSIX: function and object pointers convert */
  CHECK(dladdr(addr, &info) && info.dli_fname);
  CHECK_STATUS(tw_pack_load(info.dli_fname, &p), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), "no symbol twinscale_pack_entry"), "message: %s", tw_error_message());
  tw_error_clear();
}

/* tw_pack_validate, which guards every loaded pack, refuses broken declarations. */
static void test_validate_refuses(void) {
  static const tw_pack_event bad_event[] = {{TW_EVENT_MEAL, "carbs"}};
  static const tw_pack_event twice[] = {{TW_EVENT_MEAL, "cho"}, {TW_EVENT_MEAL, "insulin"}};
  static const tw_pack_obs bad_obs[] = {{"a/b", "1", -1, "slash", 0}};
  static const tw_pack_obs bad_headline[] = {{"a", "1", -1, "headline 2", 2}};
  tw_pack p = tw_pack_t1d;
  CHECK_OK(tw_pack_validate(&p));
  p.events = bad_event, p.n_events = 1;
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.events = twice, p.n_events = 2;
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.cgm_obs = "glucose";
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.body_weight_param = "weight";
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.name = "t1d+x";
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.obs = bad_obs, p.n_obs = 1;
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.obs = bad_headline, p.n_obs = 1;
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.params = NULL;
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  p = tw_pack_t1d, p.needs_drug = 1;
  CHECK_STATUS(tw_pack_validate(&p), TW_ERR_INTERNAL);
  tw_error_clear();
}

/* `name` holds no quoted pack name. */
static void check_no_pack_names(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/src/physio/%s", TW_SOURCE_DIR, name);
  FILE *f = fopen(path, "r");
  CHECK_MSG(f != NULL, "cannot read %s", path);
  char line[4096];
  int lineno = 0, found = 0;
  while (fgets(line, sizeof line, f)) {
    ++lineno;
    if (strstr(line, "\"t1d\"") || strstr(line, "\"pbpk\"")) {
      fprintf(stderr, "  %s:%d: %s", name, lineno, line);
      found = 1;
    }
  }
  fclose(f);
  CHECK_MSG(!found, "%s names a pack", name);
}

static void test_setup_names_no_pack(void) {
  check_no_pack_names("sim_config_setup.c");
  check_no_pack_names("sim_config.c");
}

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include "io/h5.h"    /* the CGM dataset */
#include "pack_cli.h" /* pc_* */

#define TWINS_TABLE "twins: {table: " TW_TEST_DATA_DIR "/bergman/twins.csv}\nduration_min: 30\n"

/* simulate on `yaml` must fail with exit 2 and `needle` in its message. */
static void expect_refusal(const char *name, const char *yaml, const char *needle) {
  char path[1024], err[4096];
  snprintf(path, sizeof path, "%s/%s.yaml", pc_dir, name);
  CHECK(pc_write(path, yaml));
  const int rc = pc_simulate(pc_dir, path, err, sizeof err);
  fprintf(stderr, "  %-14s exit %d: %s", name, rc, err);
  CHECK_EQ_INT(rc, 2);
  CHECK_MSG(strstr(err, needle) != NULL, "%s: expected '%s'", name, needle);
  CHECK_MSG(strchr(err, '\n') == strrchr(err, '\n'), "%s: more than one line", name);
}

static void test_refusals_cli(void) {
  expect_refusal("wrong_abi", "pack: " TW_BERGMAN_ABI0_PACK "\n" TWINS_TABLE,
                 ABI0_REFUSAL);
  expect_refusal("missing_lib", "pack: ./no_such_pack.so\n" TWINS_TABLE, "no_such_pack.so: cannot load the pack library");
  expect_refusal("meals", "pack: " TW_BERGMAN_PACK "\n" TWINS_TABLE "scenario: {meals: [{time_min: 5, carbs_g: 20}]}\n",
                 "scenario: meals need a pack that takes them");
  expect_refusal("bad_input", "pack: " TW_BERGMAN_PACK "\n" TWINS_TABLE "scenario: {inputs: [{time_min: 0, input: cho, amount: 1}]}\n",
                 "scenario.inputs[0].input: no pack of the model has an input 'cho'");
}

/* The library copied next to a config that names it ./lib...: loaded relative to
** the config's directory although simulate runs elsewhere; a CGM reads G. */
static void test_relative_to_config(void) {
  char cmd[2048], err[4096], path[1024];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s/sub' && cp '%s' '%s/sub/libmine.so'", pc_dir, TW_BERGMAN_PACK, pc_dir);
  CHECK(system(cmd) == 0);
  snprintf(path, sizeof path, "%s/sub/cfg.yaml", pc_dir);
  CHECK(pc_write(path, "pack: ./libmine.so\n" TWINS_TABLE "sensor: {name: GuardianRT, noise: false}\n"
                       "scenario: {inputs: [{time_min: 0, input: glucose, amount: 150}]}\n"
                       "output: {path: rel.h5, every_min: 5}\n"));
  const int rc = pc_simulate(pc_dir, "sub/cfg.yaml", err, sizeof err);
  CHECK_MSG(rc == 0, "simulate exited %d: %s", rc, err);
  snprintf(path, sizeof path, "%s/rel.h5", pc_dir);
  tw_h5_file *f = NULL;
  CHECK_OK(tw_h5_open(path, NULL, &f));
  tw_tensor cgm, g;
  CHECK_OK(tw_h5_read(f, "/trajectories/cgm", TW_F64, &cgm));
  CHECK_OK(tw_h5_read(f, "/trajectories/G", TW_F64, &g));
  const double *c = cgm.data, *gv = g.data;
  /* noise off, GuardianRT samples every 5 min: at every output time it reads G
  ** (clipped to its range [39, 600] mg/dL, which G stays in) */
  for (int k = 0; k < 7; ++k) CHECK_NEAR(c[k], gv[k], 1e-9);
  CHECK(gv[1] > gv[0] + 100.0); /* the bolus raised glucose */
  free(cgm.data);
  free(g.data);
  CHECK_OK(tw_h5_close(f));
}
#endif

int main(void) {
  TW_TEST_RUN(test_builtin_headlines);
  TW_TEST_RUN(test_load_api);
  TW_TEST_RUN(test_refusals_api);
  TW_TEST_RUN(test_validate_refuses);
  TW_TEST_RUN(test_setup_names_no_pack);
#if TW_HAVE_YAML && TW_HAVE_HDF5
  if (!pc_make_dir("pack_load")) return 1;
  TW_TEST_RUN(test_refusals_cli);
  TW_TEST_RUN(test_relative_to_config);
#endif
  return TW_TEST_RESULT();
}
