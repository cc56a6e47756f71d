/*
** test_pd.c: the pbpk pack as the engine sees it (declaration, registry, organ
** graph), a PBPK drug concentration scaling a t1d parameter (Emax and sigmoid
** Emax, inhibition and stimulation), and bad PD definitions.
*/
#include "tw_test.h"                /* CHECK, TW_TEST_RUN */
#include "physio/pbpk_pd.h"         /* tw_pbpk_pd_couple */
#include "physio/pbpk_model.h"      /* pbpk indexes */
#include "physio/t1d.h"             /* TW_T1D_P_kp1 */
#include "physio/pbpk_drug.h"       /* tw_pbpk_twin_params */

extern const tw_pack tw_pack_pbpk, tw_pack_t1d;

/* A pbpk + t1d model with one effect; the effective kp1 when the liver holds
** concentration c_liver (mg/L), via the model RHS's parameter scratch. */
static double effective_kp1(const tw_pbpk_pd *pd, double c_liver, tw_status *st) {
  tw_model m;
  tw_model_init(&m);
  tw_model_add_pack(&m, &tw_pack_pbpk, NULL);
  tw_model_add_pack(&m, &tw_pack_t1d, NULL);
  *st = tw_pbpk_pd_couple(&m, pd, "pd[0]");
  if (*st != TW_OK) return NAN;
  double p[TW_PACK_MAX_PARAMS * 2], ps[TW_PACK_MAX_PARAMS * 2], x[TW_PACK_MAX_STATES];
  double u[TW_PACK_MAX_INPUTS * 2] = {0}, d[TW_PACK_MAX_DISC * 2] = {0}, dx[TW_PACK_MAX_STATES];
  for (int k = 0; k < m.n_params; k++) p[k] = 1.0;
  for (int s = 0; s < m.n_states; s++) x[s] = 0.0;
  const int t1d_p = m.parts[1].p_off;
  p[t1d_p + TW_T1D_P_kp1] = 3.0;
  x[TW_PBPK_LIVER] = c_liver * p[TW_PBPK_P_V + TW_PBPK_LIVER];
  tw_model_rhs_f64(&m, x, p, u, d, ps, dx);
  return ps[t1d_p + TW_T1D_P_kp1];
}

/* The declaration is valid and registered, and its organ graph is the blood-flow
** network: for a twin's parameters, the edge weights (fractions of cardiac
** output) into and out of every blood-perfused node balance, and venous blood
** receives the whole cardiac output. */
static void test_pack_graph(void) {
  CHECK_OK(tw_pack_validate(&tw_pack_pbpk));
  CHECK(tw_pack_find("pbpk") == &tw_pack_pbpk);
  tw_pbpk_covariates c;
  tw_pbpk_reference_covariates(TW_PBPK_FEMALE, &c);
  tw_pbpk_drug d = {"g", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 0.5, 10, 1, 1, 1};
  double p[TW_PBPK_N_PARAMS];
  CHECK_OK(tw_pbpk_twin_params(&c, &d, p, "graph"));
  const tw_pack *pk = &tw_pack_pbpk;
  double in[32] = {0}, out[32] = {0};
  for (int e = 0; e < pk->n_edges; e++) {
    const tw_pack_edge *ed = &pk->edges[e];
    double w = ed->weight_param >= 0 ? p[ed->weight_param] : ed->weight;
    in[ed->to] += w;
    out[ed->from] += w;
  }
  for (int v = 0; v < TW_PBPK_N_COMPARTMENTS; v++)
    CHECK_MSG(fabs(in[v] - out[v]) <= 1e-15, "%s: in %g out %g", pk->nodes[v], in[v], out[v]);
  CHECK_NEAR(in[TW_PBPK_VENOUS], 1.0, 1e-15);
  CHECK_NEAR(out[TW_PBPK_ARTERIAL], 1.0, 1e-15);
  CHECK_NEAR(in[TW_PBPK_LIVER], 0.27, 1e-15);
  CHECK(tw_pack_node_index(pk, "gut_lumen") == TW_PBPK_N_COMPARTMENTS);
  CHECK(tw_pack_obs_index(pk, "c_liver") == TW_PBPK_LIVER);
  CHECK(tw_pack_input_index(pk, "iv_infusion") == TW_PBPK_U_INFUSION);
}

static void test_inhibition_emax(void) {
  tw_pbpk_pd pd = {"liver", "t1d", "kp1", TW_PBPK_PD_INHIBITION, 0.6, 2.0, 1.0};
  tw_status st;
  CHECK_NEAR(effective_kp1(&pd, 2.0, &st), 3.0 * (1 - 0.6 * 0.5), 1e-15);
  CHECK_NEAR(effective_kp1(&pd, 0.0, &st), 3.0, 0);
  CHECK_NEAR(effective_kp1(&pd, 6.0, &st), 3.0 * (1 - 0.6 * 6.0 / 8.0), 1e-15);
}

static void test_sigmoid_stimulation(void) {
  tw_pbpk_pd pd = {"liver", "t1d", "kp1", TW_PBPK_PD_STIMULATION, 0.5, 2.0, 3.0};
  tw_status st;
  double c = 4.0, e = pow(c, 3) / (pow(2.0, 3) + pow(c, 3));
  CHECK_NEAR(effective_kp1(&pd, c, &st), 3.0 * (1 + 0.5 * e), 1e-14);
}

static void expect_error(tw_pbpk_pd pd, const char *what) {
  tw_status st;
  effective_kp1(&pd, 1.0, &st);
  CHECK(st == TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), "pd[0]") && strstr(tw_error_message(), what),
            "message '%s' should name pd[0] and '%s'", tw_error_message(), what);
  tw_error_clear();
}

static void test_bad_effects(void) {
  tw_pbpk_pd ok = {"plasma", "t1d", "kp1", TW_PBPK_PD_INHIBITION, 0.6, 2.0, 1.0};
  tw_pbpk_pd pd = ok;
  pd.organ = "livr";
  expect_error(pd, "unknown organ 'livr'");
  pd = ok;
  pd.parameter = "kp9";
  expect_error(pd, "kp9");
  pd = ok;
  pd.pack = "renal";
  expect_error(pd, "renal");
  pd = ok;
  pd.emax = 1.5;
  expect_error(pd, "Imax");
  pd = ok;
  pd.ec50_mg_per_l = 0;
  expect_error(pd, "ec50_mg_per_l");
  pd = ok;
  pd.hill = -1;
  expect_error(pd, "hill");
}

int main(void) {
  TW_TEST_RUN(test_pack_graph);
  TW_TEST_RUN(test_inhibition_emax);
  TW_TEST_RUN(test_sigmoid_stimulation);
  TW_TEST_RUN(test_bad_effects);
  return TW_TEST_RESULT();
}
