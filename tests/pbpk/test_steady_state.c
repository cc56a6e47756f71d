/*
** test_steady_state.c: the clearance formulas docs/pbpk.md states hold in the model.
**
** Under a constant IV infusion R the steady state follows in closed form: every
** non-eliminating tissue has C_T = Kp_T Ca / BP (its outflow equals arterial
** blood), the kidney passes Ca (1 - CL_r / (BP Q_kidney)), the liver passes
** Ca (1 - E_h) with the well-stirred extraction E_h = fu_b CLint / (Q_liver +
** fu_b CLint), fu_b = fu / BP, and
**     R = Ca (CL_h,blood + CL_r / BP),   CL_h,blood = Q_liver E_h.
** Built from these formulas, the state must make every compartment's derivative
** vanish in the pack's right-hand side.
*/
#include "tw_test.h"           /* CHECK, TW_TEST_RUN */
#include "physio/pbpk_drug.h"  /* tw_pbpk_twin_params */
#include "physio/pbpk_model.h" /* tw_pbpk_rhs_f64 */

static void check_steady_state(int sex, double clint_l_per_h, double renal_factor, double bp, double fu) {
  tw_pbpk_covariates c;
  tw_pbpk_reference_covariates(sex, &c);
  c.weight_kg += 7;
  c.egfr_ml_min_173 = 75;
  tw_pbpk_drug d;
  memset(&d, 0, sizeof d);
  d.name = "steady";
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++) d.kp[t] = 0.5 + 0.37 * t;
  d.bp = bp;
  d.fu = fu;
  d.clint_l_per_h = clint_l_per_h;
  d.renal_factor = renal_factor;
  d.ka_per_h = 1;
  d.f_oral = 1;
  double p[TW_PBPK_N_PARAMS];
  CHECK_OK(tw_pbpk_twin_params(&c, &d, p, "steady"));

  const double ca = 2.0; /* arterial blood, mg/L */
  const double co = p[TW_PBPK_P_CO];
  const double q_kidney = co * p[TW_PBPK_P_F + TW_PBPK_F_KIDNEY];
  const double q_liver = co * (p[TW_PBPK_P_F + TW_PBPK_F_HEPATIC_ARTERY] + p[TW_PBPK_P_F + TW_PBPK_F_GUT] +
                               p[TW_PBPK_P_F + TW_PBPK_F_SPLEEN]);
  const double fub = fu / bp, clint = p[TW_PBPK_P_CLINT], clr = p[TW_PBPK_P_CLR];
  const double e_h = fub * clint / (q_liver + fub * clint);
  double x[TW_PBPK_N_STATES] = {0}, dx[TW_PBPK_N_STATES];
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++) {
    double cv = ca; /* blood leaving T */
    if (t == TW_PBPK_KIDNEY) cv = ca * (1 - clr / (bp * q_kidney));
    if (t == TW_PBPK_LIVER) cv = ca * (1 - e_h);
    x[t] = cv * p[TW_PBPK_P_KP + t] / bp * p[TW_PBPK_P_V + t];
  }
  x[TW_PBPK_ARTERIAL] = ca * p[TW_PBPK_P_V + TW_PBPK_ARTERIAL];
  x[TW_PBPK_VENOUS] = ca * p[TW_PBPK_P_V + TW_PBPK_VENOUS]; /* the lung adds nothing */
  const double rate = ca * (q_liver * e_h + clr / bp);
  double u[TW_PBPK_N_INPUTS] = {0};
  u[TW_PBPK_U_INFUSION] = rate;
  tw_pbpk_ctx_f64 ctx;
  tw_pbpk_ctx_load_f64(&ctx, p, 1);
  tw_pbpk_ctx_inputs_f64(&ctx, u, 1);
  tw_pbpk_rhs_f64(&ctx, x, dx);
  for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++)
    CHECK_MSG(fabs(dx[o]) <= 1e-12 * rate, "%s: dA/dt = %g mg/min at the well-stirred steady state (R = %g)",
              tw_pbpk_organ_name(o), dx[o], rate);
  /* what leaves is what comes in, split as the formulas say */
  CHECK_NEAR(dx[TW_PBPK_X_ELIM_HEPATIC], ca * q_liver * e_h, 1e-12 * rate);
  CHECK_NEAR(dx[TW_PBPK_X_ELIM_RENAL], ca * clr / bp, 1e-12 * rate);
}

static void test_well_stirred_and_renal(void) {
  check_steady_state(TW_PBPK_MALE, 90.0, 1.0, 1.0, 0.5);
  check_steady_state(TW_PBPK_FEMALE, 900.0, 2.5, 0.7, 0.05);   /* high extraction, BP < 1 */
  check_steady_state(TW_PBPK_MALE, 3.0, 0.0, 1.6, 1.0);        /* low extraction, no renal */
}

int main(void) {
  TW_TEST_RUN(test_well_stirred_and_renal);
  return TW_TEST_RESULT();
}
