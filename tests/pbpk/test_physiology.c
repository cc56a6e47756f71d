/*
** test_physiology.c: reference volumes and flows, and their covariate scaling.
**
** The expected reference values are typed here from docs/pbpk.md (ICRP 89
** Tables 2.8, 2.12, 2.13, 2.39, 2.40), independently of the table in
** pbpk_physiology.c: the reference adults must reproduce them exactly (to
** the last bits of the unit conversions), flows must close, and every adult in
** the supported covariate ranges must get positive volumes that add up to the
** body weight.
*/
#include "tw_test.h"                /* CHECK, TW_TEST_RUN */
#include "physio/pbpk_physiology.h" /* tw_pbpk_scale */

#define REL(a, b) (fabs((a) - (b)) / fabs(b))

/* Volumes (L) of the reference adults: masses (g) / density / 1000. */
static const double ref_volume[2][TW_PBPK_N_COMPARTMENTS] = {
    {0.500, 0.330, 1.450, 29.0, 14.5 / 0.92, 3.3, 10.5 / 1.3, 1.210, 0.150, 1.8, 0.310,
     /* rest = 73 kg - tissues 63.05 kg - blood 5.6 kg */ 4.35, 0.295 * 5.3, 0.705 * 5.3},
    {0.420, 0.250, 1.300, 17.5, 19.0 / 0.92, 2.3, 7.8 / 1.3, 1.135, 0.130, 1.4, 0.275,
     /* rest = 60 kg - tissues 51.51 kg - blood 4.1 kg */ 4.39, 0.295 * 3.9, 0.705 * 3.9},
};
/* Flow fractions (heart, brain, muscle, adipose, skin, bone, gut, spleen,
** hepatic artery, kidney, rest) and cardiac output (L/min). */
static const double ref_flow[2][TW_PBPK_N_FLOWS] = {
    {0.04, 0.12, 0.17, 0.05, 0.05, 0.05, 0.15, 0.03, 0.075, 0.19, 0.075},
    {0.05, 0.12, 0.12, 0.085, 0.05, 0.05, 0.17, 0.03, 0.07, 0.17, 0.085},
};
static const double ref_co[2] = {6.5, 5.9};

static void test_reference_reproduces_icrp(void) {
  for (int sex = 0; sex < 2; sex++) {
    tw_pbpk_covariates c;
    tw_pbpk_physiology ph;
    CHECK_OK(tw_pbpk_reference_covariates(sex, &c));
    CHECK_OK(tw_pbpk_scale(&c, &ph, "reference"));
    for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++)
      CHECK_MSG(REL(ph.volume_l[o], ref_volume[sex][o]) <= 1e-14, "sex %d %s: %.17g vs %.17g", sex,
                tw_pbpk_organ_name(o), ph.volume_l[o], ref_volume[sex][o]);
    for (int f = 0; f < TW_PBPK_N_FLOWS; f++)
      CHECK_MSG(REL(ph.flow_fraction[f], ref_flow[sex][f]) <= 1e-14, "sex %d flow %s: %.17g vs %.17g",
                sex, tw_pbpk_flow_name(f), ph.flow_fraction[f], ref_flow[sex][f]);
    CHECK(ph.cardiac_output_l_per_min == ref_co[sex]);
    CHECK_NEAR(ph.hematocrit, sex == 0 ? 2300.0 / 5300.0 : 1500.0 / 3900.0, 1e-15);
  }
}

/* The venous return (every organ but the lung) is the whole cardiac output, and
** the liver receives exactly its ICRP total (hepatic artery + portal). */
static void test_flows_close(void) {
  const double liver_total[2] = {0.255, 0.27};
  for (int sex = 0; sex < 2; sex++) {
    tw_pbpk_covariates c;
    tw_pbpk_physiology ph;
    CHECK_OK(tw_pbpk_reference_covariates(sex, &c));
    CHECK_OK(tw_pbpk_scale(&c, &ph, "reference"));
    double sum = 0;
    for (int f = 0; f < TW_PBPK_N_FLOWS; f++) {
      CHECK(ph.flow_fraction[f] > 0);
      sum += ph.flow_fraction[f];
    }
    CHECK_NEAR(sum, 1.0, 1e-15);
    CHECK_NEAR(ph.flow_fraction[TW_PBPK_F_HEPATIC_ARTERY] + ph.flow_fraction[TW_PBPK_F_GUT] +
                   ph.flow_fraction[TW_PBPK_F_SPLEEN], liver_total[sex], 1e-15);
  }
}

/* A grid over sex x age x weight x height (BMI inside the supported range). */
static void test_adult_ranges(void) {
  int n = 0;
  for (int sex = 0; sex < 2; sex++)
    for (double age = 18; age <= 100; age += 41)
      for (double w = 30; w <= 250; w += 10)
        for (double h = 130; h <= 220; h += 5) {
          double bmi = w / (h * h * 1e-4);
          if (bmi < 13 || bmi > 70) continue;
          tw_pbpk_covariates c = {sex, age, w, h, 90};
          tw_pbpk_physiology ph;
          CHECK_OK(tw_pbpk_scale(&c, &ph, "grid"));
          double mass_kg = 0;
          for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++) {
            CHECK_MSG(ph.volume_l[o] > 0, "sex %d age %g w %g h %g: %s volume %g", sex, age, w, h,
                      tw_pbpk_organ_name(o), ph.volume_l[o]);
            if (o <= TW_PBPK_REST)
              mass_kg += ph.volume_l[o] * (o == TW_PBPK_ADIPOSE ? 0.92 : o == TW_PBPK_BONE ? 1.3 : 1.0);
          }
          /* blood mass scales with its volume (1.0566 kg/L at the reference) */
          double blood_l = ph.volume_l[TW_PBPK_ARTERIAL] + ph.volume_l[TW_PBPK_VENOUS];
          mass_kg += blood_l * (sex == 0 ? 5.6 / 5.3 : 4.1 / 3.9);
          CHECK_MSG(REL(mass_kg, w) <= 1e-12, "masses add to %.15g kg, weight %g", mass_kg, w);
          CHECK(ph.cardiac_output_l_per_min > 0 && ph.gfr_ml_min > 0);
          n++;
        }
  CHECK(n > 500);
}

static void test_scaling_directions(void) {
  tw_pbpk_covariates c;
  tw_pbpk_physiology ref, old, heavy;
  CHECK_OK(tw_pbpk_reference_covariates(TW_PBPK_MALE, &c));
  CHECK_OK(tw_pbpk_scale(&c, &ref, "ref"));
  c.age_y = 80;
  CHECK_OK(tw_pbpk_scale(&c, &old, "old"));
  /* Katori 1979 slope relative to 35 y: (4.874 - 0.023*80) / (4.874 - 0.023*35) */
  CHECK_NEAR(old.cardiac_output_l_per_min / ref.cardiac_output_l_per_min,
             (4.874 - 0.023 * 80) / (4.874 - 0.023 * 35), 1e-14);
  CHECK_OK(tw_pbpk_reference_covariates(TW_PBPK_MALE, &c));
  c.weight_kg = 110;
  CHECK_OK(tw_pbpk_scale(&c, &heavy, "heavy"));
  CHECK(heavy.volume_l[TW_PBPK_ADIPOSE] > 1.5 * ref.volume_l[TW_PBPK_ADIPOSE]);
  CHECK(heavy.volume_l[TW_PBPK_LIVER] > ref.volume_l[TW_PBPK_LIVER]);
  CHECK(heavy.volume_l[TW_PBPK_BRAIN] == ref.volume_l[TW_PBPK_BRAIN]);
  CHECK(heavy.cardiac_output_l_per_min > ref.cardiac_output_l_per_min);
  /* absolute GFR = eGFR * BSA / 1.73 (Du Bois BSA) */
  CHECK_NEAR(ref.gfr_ml_min, 100.0 * 0.007184 * pow(73, 0.425) * pow(176, 0.725) / 1.73, 1e-12);
}

static void test_bad_covariates(void) {
  tw_pbpk_covariates c;
  tw_pbpk_physiology ph;
  CHECK_OK(tw_pbpk_reference_covariates(TW_PBPK_FEMALE, &c));
  c.weight_kg = 20;
  CHECK_STATUS(tw_pbpk_scale(&c, &ph, "twin 7"), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "twin 7") && strstr(tw_error_message(), "weight_kg"));
  tw_error_clear();
  CHECK_OK(tw_pbpk_reference_covariates(TW_PBPK_FEMALE, &c));
  c.age_y = 12;
  CHECK_STATUS(tw_pbpk_scale(&c, &ph, "twin 8"), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "age_y"));
  tw_error_clear();
  CHECK_OK(tw_pbpk_reference_covariates(TW_PBPK_MALE, &c));
  c.weight_kg = 35;
  c.height_cm = 200; /* BMI 8.75 */
  CHECK_STATUS(tw_pbpk_scale(&c, &ph, "twin 9"), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "BMI"));
  tw_error_clear();
  c.sex = 3;
  CHECK_STATUS(tw_pbpk_scale(&c, &ph, "twin 10"), TW_ERR_INPUT);
  tw_error_clear();
  CHECK(tw_pbpk_organ_index("liver") == TW_PBPK_LIVER);
  CHECK(tw_pbpk_organ_index("livr") == -1);
}

int main(void) {
  TW_TEST_RUN(test_reference_reproduces_icrp);
  TW_TEST_RUN(test_flows_close);
  TW_TEST_RUN(test_adult_ranges);
  TW_TEST_RUN(test_scaling_directions);
  TW_TEST_RUN(test_bad_covariates);
  return TW_TEST_RESULT();
}
