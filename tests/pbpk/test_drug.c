/*
** test_drug.c: a twin's PBPK parameters from physiology and drug, dosing inputs,
** and the messages for bad input (negative dose, Kp <= 0, fu outside (0, 1], ...).
*/
#include "tw_test.h"           /* CHECK, TW_TEST_RUN */
#include "physio/pbpk_drug.h"  /* tw_pbpk_params, tw_pbpk_dose_inputs */
#include "physio/pbpk_model.h" /* parameter and input indexes */
#include "physio/pack.h"       /* tw_pack_check_params */

extern const tw_pack tw_pack_pbpk;

static tw_pbpk_drug a_drug(void) {
  tw_pbpk_drug d;
  memset(&d, 0, sizeof d);
  d.name = "testol";
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++) d.kp[t] = 1.0 + 0.1 * t;
  d.bp = 0.8;
  d.fu = 0.25;
  d.clint_l_per_h = 120.0;
  d.renal_factor = 1.5;
  d.ka_per_h = 1.2;
  d.f_oral = 0.7;
  return d;
}

static tw_pbpk_physiology reference_male(void) {
  tw_pbpk_covariates c;
  tw_pbpk_physiology ph;
  tw_pbpk_reference_covariates(TW_PBPK_MALE, &c);
  tw_pbpk_scale(&c, &ph, "reference");
  return ph;
}

/* Units: L/h -> L/min, 1/h -> 1/min; CLr = renal_factor fu GFR. */
static void test_params(void) {
  tw_pbpk_physiology ph = reference_male();
  tw_pbpk_drug d = a_drug();
  double p[TW_PBPK_N_PARAMS];
  CHECK_OK(tw_pbpk_params(&ph, &d, p, "twin 0"));
  CHECK_NEAR(p[TW_PBPK_P_CLINT], 2.0, 1e-15);
  CHECK_NEAR(p[TW_PBPK_P_KA], 0.02, 1e-15);
  CHECK_NEAR(p[TW_PBPK_P_CLR], 1.5 * 0.25 * ph.gfr_ml_min / 1000.0, 1e-15);
  CHECK(p[TW_PBPK_P_V + TW_PBPK_LIVER] == ph.volume_l[TW_PBPK_LIVER]);
  CHECK(p[TW_PBPK_P_KP + TW_PBPK_REST] == d.kp[TW_PBPK_REST]);
  CHECK(p[TW_PBPK_P_CO] == 6.5);
}

/* From a name or covariates straight to the parameter vector. */
static void test_twin_params(void) {
  tw_pbpk_covariates c;
  tw_pbpk_drug d = a_drug();
  double p[TW_PBPK_N_PARAMS];
  CHECK_OK(tw_pbpk_reference_by_name("icrp_female", &c, "twins.reference[0]"));
  CHECK_OK(tw_pbpk_twin_params(&c, &d, p, "twin 1"));
  CHECK(p[TW_PBPK_P_CO] == 5.9 && p[TW_PBPK_P_V + TW_PBPK_LIVER] == 1.4);
  CHECK_STATUS(tw_pbpk_reference_by_name("icrp_child", &c, "twins.reference[1]"), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "twins.reference[1]") && strstr(tw_error_message(), "icrp_male"));
  tw_error_clear();
  c.weight_kg = 300;
  CHECK_STATUS(tw_pbpk_twin_params(&c, &d, p, "twin 2"), TW_ERR_INPUT);
  tw_error_clear();
}

/* Every adult the scaling accepts gets parameters inside the pack's declared
** ranges (what the engine checks on input). */
static void test_params_within_pack_ranges(void) {
  tw_pbpk_drug d = a_drug();
  int n = 0;
  for (int sex = 0; sex < 2; sex++)
    for (double w = 30; w <= 250; w += 20)
      for (double h = 130; h <= 220; h += 10) {
        double bmi = w / (h * h * 1e-4);
        if (bmi < 13 || bmi > 70) continue;
        for (double egfr = 5; egfr <= 200; egfr += 65) {
          tw_pbpk_covariates c = {sex, 18 + (w - 30) / 3, w, h, egfr}; /* age 18..91 */
          double p[TW_PBPK_N_PARAMS];
          CHECK_OK(tw_pbpk_twin_params(&c, &d, p, "grid"));
          CHECK_OK(tw_pack_check_params(&tw_pack_pbpk, p, "grid"));
          n++;
        }
      }
  CHECK(n > 200);
}

static void expect_drug_error(tw_pbpk_drug d, const char *field) {
  tw_pbpk_physiology ph = reference_male();
  double p[TW_PBPK_N_PARAMS];
  CHECK_STATUS(tw_pbpk_params(&ph, &d, p, "twin 3"), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), field) && strstr(tw_error_message(), "testol"),
            "message '%s' should name drug testol and %s", tw_error_message(), field);
  tw_error_clear();
}

static void test_bad_drugs(void) {
  tw_pbpk_drug d = a_drug();
  d.kp[TW_PBPK_LIVER] = 0;
  expect_drug_error(d, "kp.liver");
  d = a_drug();
  d.kp[TW_PBPK_ADIPOSE] = -2;
  expect_drug_error(d, "kp.adipose");
  d = a_drug();
  d.fu = 0;
  expect_drug_error(d, "fu = 0 must be in (0, 1]");
  d.fu = 1.2;
  expect_drug_error(d, "fu = 1.2 must be in (0, 1]");
  d = a_drug();
  d.bp = 0;
  expect_drug_error(d, "blood_plasma_ratio");
  d = a_drug();
  d.f_oral = 1.5;
  expect_drug_error(d, "f_oral");
  d = a_drug();
  d.clint_l_per_h = -1;
  expect_drug_error(d, "clint_l_per_h");
  d = a_drug();
  d.renal_factor = 60; /* 60 * 0.25 * 109 mL/min = 1.6 L/min > 1.235 L/min * 0.8 */
  expect_drug_error(d, "renal clearance");
}

static void test_dose_inputs(void) {
  double u[10][TW_PBPK_N_INPUTS];
  memset(u, 0, sizeof u);
  tw_pbpk_dose bolus = {TW_PBPK_IV_BOLUS, 2, 50.0, 0};
  tw_pbpk_dose oral = {TW_PBPK_ORAL, 2, 100.0, 0};
  tw_pbpk_dose inf = {TW_PBPK_IV_INFUSION, 4, 30.0, 3};
  CHECK_OK(tw_pbpk_dose_inputs(&bolus, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "d"));
  CHECK_OK(tw_pbpk_dose_inputs(&oral, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "d"));
  CHECK_OK(tw_pbpk_dose_inputs(&inf, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "d"));
  CHECK(u[2][TW_PBPK_U_IV_BOLUS] == 50.0 && u[2][TW_PBPK_U_ORAL] == 100.0);
  double infused = 0;
  for (int m = 0; m < 10; m++) infused += u[m][TW_PBPK_U_INFUSION];
  CHECK_NEAR(infused, 30.0, 1e-12);
  CHECK(u[3][TW_PBPK_U_INFUSION] == 0 && u[4][TW_PBPK_U_INFUSION] == 10.0 && u[7][TW_PBPK_U_INFUSION] == 0);
}

static void test_bad_doses(void) {
  double u[10][TW_PBPK_N_INPUTS];
  memset(u, 0, sizeof u);
  tw_pbpk_dose neg = {TW_PBPK_ORAL, 1, -5.0, 0};
  CHECK_STATUS(tw_pbpk_dose_inputs(&neg, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "doses[2]"), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "doses[2]") && strstr(tw_error_message(), "-5 mg"));
  tw_error_clear();
  tw_pbpk_dose late = {TW_PBPK_IV_BOLUS, 10, 5.0, 0};
  CHECK_STATUS(tw_pbpk_dose_inputs(&late, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "d"), TW_ERR_INPUT);
  tw_error_clear();
  tw_pbpk_dose longinf = {TW_PBPK_IV_INFUSION, 8, 5.0, 3};
  CHECK_STATUS(tw_pbpk_dose_inputs(&longinf, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "d"), TW_ERR_INPUT);
  tw_error_clear();
  tw_pbpk_dose zero = {TW_PBPK_IV_INFUSION, 1, 5.0, 0};
  CHECK_STATUS(tw_pbpk_dose_inputs(&zero, 10, &u[0][0], TW_PBPK_N_INPUTS, 1, "d"), TW_ERR_INPUT);
  tw_error_clear();
  for (int m = 0; m < 10; m++)
    for (int k = 0; k < TW_PBPK_N_INPUTS; k++) CHECK(u[m][k] == 0); /* nothing half-written */
  CHECK(tw_pbpk_route_index("oral") == TW_PBPK_ORAL && tw_pbpk_route_index("im") == -1);
}

int main(void) {
  TW_TEST_RUN(test_params);
  TW_TEST_RUN(test_twin_params);
  TW_TEST_RUN(test_params_within_pack_ranges);
  TW_TEST_RUN(test_bad_drugs);
  TW_TEST_RUN(test_dose_inputs);
  TW_TEST_RUN(test_bad_doses);
  return TW_TEST_RESULT();
}
