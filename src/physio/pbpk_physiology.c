/*
** pbpk_physiology.c: reference volumes and blood flows, and their scaling to a twin.
**
** Every number in the two reference tables below comes from ICRP Publication 89
** (2002), "Basic anatomical and physiological data for use in radiological
** protection: reference values"; docs/pbpk.md lists each value with its table.
** Masses are in g as ICRP tabulates them; volumes follow from the densities
** below. Flows are percentages of cardiac output (ICRP 89 Table 2.40).
**
** Scaling (docs/pbpk.md, "Covariates"): lean tissues and blood scale with lean
** body mass, adipose with fat mass, the brain not at all; the rest of body takes
** whatever body weight is left, so the masses always add up to the weight.
** Cardiac output scales with body surface area and declines with age; the flow
** fractions are those of the reference of the twin's sex.
*/
#include "physio/pbpk_physiology.h"

#include <math.h>   /* pow */
#include <string.h> /* strcmp */

/* One sex's reference adult. */
typedef struct pbpk_reference {
  double weight_kg, height_cm;    /* ICRP 89 Table 2.9 */
  double mass_g[TW_PBPK_REST];    /* ICRP 89 Table 2.8, tissues lung..kidney (blood-free) */
  double blood_mass_g;            /* ICRP 89 Table 2.8 */
  double plasma_ml, rbc_ml;       /* ICRP 89 Table 2.12: blood volume = plasma + erythrocytes */
  double cardiac_output_l_per_min;/* ICRP 89 Table 2.39 */
  double flow_pct[TW_PBPK_N_COMPARTMENTS]; /* ICRP 89 Table 2.40, % of cardiac output;
                                             LIVER holds the total liver flow */
} pbpk_reference;

/* Gut = walls of oesophagus, stomach, small intestine and the three colon
** segments (right, left, rectosigmoid); its flow = stomach and oesophagus +
** small intestine + large intestine. Bone = total skeleton. Lung and heart:
** tissue only (their blood belongs to the blood pools). */
static const pbpk_reference pbpk_ref[2] = {
    /* reference adult male */
    {.weight_kg = 73.0, .height_cm = 176.0,
     .mass_g = {[TW_PBPK_LUNG] = 500.0, [TW_PBPK_HEART] = 330.0, [TW_PBPK_BRAIN] = 1450.0,
                [TW_PBPK_MUSCLE] = 29000.0, [TW_PBPK_ADIPOSE] = 14500.0, [TW_PBPK_SKIN] = 3300.0,
                [TW_PBPK_BONE] = 10500.0, [TW_PBPK_GUT] = 40.0 + 150.0 + 650.0 + 150.0 + 150.0 + 70.0,
                [TW_PBPK_SPLEEN] = 150.0, [TW_PBPK_LIVER] = 1800.0, [TW_PBPK_KIDNEY] = 310.0},
     .blood_mass_g = 5600.0, .plasma_ml = 3000.0, .rbc_ml = 2300.0,
     .cardiac_output_l_per_min = 6.5,
     .flow_pct = {[TW_PBPK_HEART] = 4.0, [TW_PBPK_BRAIN] = 12.0, [TW_PBPK_MUSCLE] = 17.0,
                  [TW_PBPK_ADIPOSE] = 5.0, [TW_PBPK_SKIN] = 5.0, [TW_PBPK_BONE] = 5.0,
                  [TW_PBPK_GUT] = 1.0 + 10.0 + 4.0, [TW_PBPK_SPLEEN] = 3.0,
                  [TW_PBPK_LIVER] = 25.5, [TW_PBPK_KIDNEY] = 19.0}},
    /* reference adult female */
    {.weight_kg = 60.0, .height_cm = 163.0,
     .mass_g = {[TW_PBPK_LUNG] = 420.0, [TW_PBPK_HEART] = 250.0, [TW_PBPK_BRAIN] = 1300.0,
                [TW_PBPK_MUSCLE] = 17500.0, [TW_PBPK_ADIPOSE] = 19000.0, [TW_PBPK_SKIN] = 2300.0,
                [TW_PBPK_BONE] = 7800.0, [TW_PBPK_GUT] = 35.0 + 140.0 + 600.0 + 145.0 + 145.0 + 70.0,
                [TW_PBPK_SPLEEN] = 130.0, [TW_PBPK_LIVER] = 1400.0, [TW_PBPK_KIDNEY] = 275.0},
     .blood_mass_g = 4100.0, .plasma_ml = 2400.0, .rbc_ml = 1500.0,
     .cardiac_output_l_per_min = 5.9,
     .flow_pct = {[TW_PBPK_HEART] = 5.0, [TW_PBPK_BRAIN] = 12.0, [TW_PBPK_MUSCLE] = 12.0,
                  [TW_PBPK_ADIPOSE] = 8.5, [TW_PBPK_SKIN] = 5.0, [TW_PBPK_BONE] = 5.0,
                  [TW_PBPK_GUT] = 1.0 + 11.0 + 5.0, [TW_PBPK_SPLEEN] = 3.0,
                  [TW_PBPK_LIVER] = 27.0, [TW_PBPK_KIDNEY] = 17.0}},
};

/* Tissue densities, kg/L: 1 except adipose and skeleton (docs/pbpk.md). */
static const double pbpk_density[TW_PBPK_REST + 1] = {
    [TW_PBPK_LUNG] = 1.0,   [TW_PBPK_HEART] = 1.0, [TW_PBPK_BRAIN] = 1.0,  [TW_PBPK_MUSCLE] = 1.0,
    [TW_PBPK_ADIPOSE] = 0.92, [TW_PBPK_SKIN] = 1.0, [TW_PBPK_BONE] = 1.3,  [TW_PBPK_GUT] = 1.0,
    [TW_PBPK_SPLEEN] = 1.0, [TW_PBPK_LIVER] = 1.0, [TW_PBPK_KIDNEY] = 1.0, [TW_PBPK_REST] = 1.0};

/* Share of the blood volume in the arterial pool: ICRP 89 Table 2.13 (adult
** male), arterial side = half the heart chambers (9 %) + pulmonary veins (5.5 %)
** + half the pulmonary capillaries (2 %) + aorta and large arteries (6 %) + small
** arteries (10 %) + half the systemic capillaries (5 %) = 29.5 %. */
static const double pbpk_arterial_share = (0.5 * 9.0 + 5.5 + 0.5 * 2.0 + 6.0 + 10.0 + 0.5 * 5.0) / 100.0;

/* Resting cardiac index CI = 4.874 - 0.023 age (L/min/m^2) in healthy adults
** (dye-dilution regression; docs/pbpk.md gives the source); used relative to 35 y. */
static const double pbpk_ci_intercept = 4.874, pbpk_ci_slope_per_y = 0.023, pbpk_ref_age_y = 35.0;

static const char *const pbpk_organ_names[TW_PBPK_N_COMPARTMENTS] = {
    "lung", "heart", "brain", "muscle", "adipose", "skin", "bone", "gut",
    "spleen", "liver", "kidney", "rest", "arterial_blood", "venous_blood"};

static const char *const pbpk_flow_names[TW_PBPK_N_FLOWS] = {
    "heart", "brain", "muscle", "adipose", "skin", "bone", "gut",
    "spleen", "hepatic_artery", "kidney", "rest"};

/* Du Bois & Du Bois (1916): BSA = 0.007184 W^0.425 H^0.725 (m^2, kg, cm). */
static double pbpk_bsa(double weight_kg, double height_cm) {
  return 0.007184 * pow(weight_kg, 0.425) * pow(height_cm, 0.725);
}

/* Janmahasatian et al. (2005) lean body weight, kg. */
static double pbpk_lean_mass(int sex, double weight_kg, double height_cm) {
  double bmi = weight_kg / (height_cm * height_cm * 1e-4);
  return sex == TW_PBPK_MALE ? 9270.0 * weight_kg / (6680.0 + 216.0 * bmi)
                             : 9270.0 * weight_kg / (8780.0 + 244.0 * bmi);
}

/* Cardiac output at age_y relative to the reference age (1 at 35 y). */
static double pbpk_age_factor(double age_y) {
  return (pbpk_ci_intercept - pbpk_ci_slope_per_y * age_y) /
         (pbpk_ci_intercept - pbpk_ci_slope_per_y * pbpk_ref_age_y);
}

tw_status tw_pbpk_reference_covariates(int sex, tw_pbpk_covariates *out) {
  if (sex != TW_PBPK_MALE && sex != TW_PBPK_FEMALE)
    return TW_FAIL(TW_ERR_INPUT, "pbpk: sex must be male or female (got %d)", sex);
  out->sex = sex;
  out->age_y = pbpk_ref_age_y;
  out->weight_kg = pbpk_ref[sex].weight_kg;
  out->height_cm = pbpk_ref[sex].height_cm;
  out->egfr_ml_min_173 = 100.0;
  return TW_OK;
}

tw_status tw_pbpk_reference_by_name(const char *name, tw_pbpk_covariates *out, const char *who) {
  if (name && !strcmp(name, "icrp_male")) return tw_pbpk_reference_covariates(TW_PBPK_MALE, out);
  if (name && !strcmp(name, "icrp_female")) return tw_pbpk_reference_covariates(TW_PBPK_FEMALE, out);
  return TW_FAIL(TW_ERR_INPUT, "%s: unknown pbpk reference subject '%s' (known: icrp_male, icrp_female)", who,
                 name ? name : "(null)");
}

static tw_status pbpk_check_range(const char *who, const char *field, double v, double lo,
                                  double hi, const char *unit) {
  if (!(v >= lo && v <= hi))
    return TW_FAIL(TW_ERR_INPUT, "%s: %s = %g %s is outside the adult range [%g, %g] %s", who,
                   field, v, unit, lo, hi, unit);
  return TW_OK;
}

tw_status tw_pbpk_scale(const tw_pbpk_covariates *c, tw_pbpk_physiology *out, const char *who) {
  if (c->sex != TW_PBPK_MALE && c->sex != TW_PBPK_FEMALE)
    return TW_FAIL(TW_ERR_INPUT, "%s: sex must be male or female", who);
  TW_TRY(pbpk_check_range(who, "age_y", c->age_y, 18.0, 100.0, "y"));
  TW_TRY(pbpk_check_range(who, "weight_kg", c->weight_kg, 30.0, 250.0, "kg"));
  TW_TRY(pbpk_check_range(who, "height_cm", c->height_cm, 130.0, 220.0, "cm"));
  TW_TRY(pbpk_check_range(who, "egfr", c->egfr_ml_min_173, 1.0, 200.0, "mL/min/1.73m2"));
  /* Below BMI 13 the lean-mass formula leaves (almost) no fat mass for men. */
  TW_TRY(pbpk_check_range(who, "BMI (weight_kg / height_m^2)",
                          c->weight_kg / (c->height_cm * c->height_cm * 1e-4), 13.0, 70.0, "kg/m2"));
  const pbpk_reference *r = &pbpk_ref[c->sex];

  /* Masses: lean tissues and blood by lean mass, adipose by fat mass, brain fixed. */
  double lbm = pbpk_lean_mass(c->sex, c->weight_kg, c->height_cm);
  double lbm_ref = pbpk_lean_mass(c->sex, r->weight_kg, r->height_cm);
  double lean_scale = lbm / lbm_ref;
  double fat_scale = (c->weight_kg - lbm) / (r->weight_kg - lbm_ref);
  double mass_g[TW_PBPK_REST + 1];
  double total_g = 0.0;
  for (int o = 0; o < TW_PBPK_REST; o++) {
    double s = o == TW_PBPK_BRAIN ? 1.0 : o == TW_PBPK_ADIPOSE ? fat_scale : lean_scale;
    mass_g[o] = r->mass_g[o] * s;
    total_g += mass_g[o];
  }
  double blood_mass_g = r->blood_mass_g * lean_scale;
  mass_g[TW_PBPK_REST] = c->weight_kg * 1000.0 - total_g - blood_mass_g;
  if (!(mass_g[TW_PBPK_REST] > 0.0))
    return TW_FAIL(TW_ERR_INPUT,
                   "%s: weight %g kg and height %g cm leave no rest-of-body mass (%g g): "
                   "covariates outside what the scaling supports",
                   who, c->weight_kg, c->height_cm, mass_g[TW_PBPK_REST]);
  for (int o = 0; o <= TW_PBPK_REST; o++) out->volume_l[o] = mass_g[o] / 1000.0 / pbpk_density[o];
  double blood_l = (r->plasma_ml + r->rbc_ml) / 1000.0 * lean_scale;
  out->volume_l[TW_PBPK_ARTERIAL] = pbpk_arterial_share * blood_l;
  out->volume_l[TW_PBPK_VENOUS] = (1.0 - pbpk_arterial_share) * blood_l;

  /* Flows: fractions of the sex's reference; the hepatic artery is the liver's
  ** total less what reaches it through the portal vein, the rest of body what
  ** the venous return lacks of the cardiac output. */
  const double *q = r->flow_pct;
  static const int direct[] = {TW_PBPK_HEART, TW_PBPK_BRAIN, TW_PBPK_MUSCLE, TW_PBPK_ADIPOSE,
                               TW_PBPK_SKIN,  TW_PBPK_BONE,  TW_PBPK_GUT,    TW_PBPK_SPLEEN};
  for (int k = 0; k < (int)TW_ARRAY_LEN(direct); k++) out->flow_fraction[k] = q[direct[k]] / 100.0;
  out->flow_fraction[TW_PBPK_F_HEPATIC_ARTERY] =
      (q[TW_PBPK_LIVER] - q[TW_PBPK_GUT] - q[TW_PBPK_SPLEEN]) / 100.0;
  out->flow_fraction[TW_PBPK_F_KIDNEY] = q[TW_PBPK_KIDNEY] / 100.0;
  double venous_return_pct = q[TW_PBPK_HEART] + q[TW_PBPK_BRAIN] + q[TW_PBPK_MUSCLE] +
                             q[TW_PBPK_ADIPOSE] + q[TW_PBPK_SKIN] + q[TW_PBPK_BONE] +
                             q[TW_PBPK_LIVER] + q[TW_PBPK_KIDNEY];
  out->flow_fraction[TW_PBPK_F_REST] = (100.0 - venous_return_pct) / 100.0;

  double bsa = pbpk_bsa(c->weight_kg, c->height_cm);
  double bsa_ref = pbpk_bsa(r->weight_kg, r->height_cm);
  out->cardiac_output_l_per_min =
      r->cardiac_output_l_per_min * (bsa / bsa_ref) * pbpk_age_factor(c->age_y);
  out->gfr_ml_min = c->egfr_ml_min_173 * bsa / 1.73;
  out->bsa_m2 = bsa;
  out->lean_mass_kg = lbm;
  out->hematocrit = r->rbc_ml / (r->plasma_ml + r->rbc_ml);
  return TW_OK;
}

const char *tw_pbpk_organ_name(int organ) {
  return organ >= 0 && organ < TW_PBPK_N_COMPARTMENTS ? pbpk_organ_names[organ] : NULL;
}

int tw_pbpk_organ_index(const char *name) {
  for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++)
    if (!strcmp(name, pbpk_organ_names[o])) return o;
  return -1;
}

const char *tw_pbpk_flow_name(int flow) {
  return flow >= 0 && flow < TW_PBPK_N_FLOWS ? pbpk_flow_names[flow] : NULL;
}
