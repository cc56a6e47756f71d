/*
** pbpk_config.c: the schema tables of pbpk_config.h and their checks.
**
** Value checks are those of the engine (tw_pbpk_drug_check, tw_pbpk_pd_couple,
** tw_pbpk_scale), run here on the bound values so the message gets the file
** position; only the organ name of a PD effect is checked here, to suggest the
** nearest valid one.
*/
#include "physio/pbpk_config.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */

/* An engine check's failure, re-raised at `mark` in the config file. */
static tw_status at_mark(const tw_cfg_doc *doc, tw_cfg_mark mark, const char *what, tw_status st) {
  if (st == TW_OK) return TW_OK;
  char why[512];
  snprintf(why, sizeof why, "%s", tw_error_message());
  tw_error_clear();
  return tw_cfg_error_at(doc, mark, "%s: %s", what, why);
}

/* ---- drugs ---- */

#define KP_FIELD(organ, idx)                                                                          \
  {.key = organ, .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_kp_cfg, kp) + (idx) * sizeof(double), \
   .required = 1, .unit = "1", .doc = "tissue:plasma partition coefficient (> 0)"}
static const tw_cfg_field kp_fields[] = {
    KP_FIELD("lung", TW_PBPK_LUNG),     KP_FIELD("heart", TW_PBPK_HEART),   KP_FIELD("brain", TW_PBPK_BRAIN),
    KP_FIELD("muscle", TW_PBPK_MUSCLE), KP_FIELD("adipose", TW_PBPK_ADIPOSE), KP_FIELD("skin", TW_PBPK_SKIN),
    KP_FIELD("bone", TW_PBPK_BONE),     KP_FIELD("gut", TW_PBPK_GUT),       KP_FIELD("spleen", TW_PBPK_SPLEEN),
    KP_FIELD("liver", TW_PBPK_LIVER),   KP_FIELD("kidney", TW_PBPK_KIDNEY), KP_FIELD("rest", TW_PBPK_REST),
};
#undef KP_FIELD
static const tw_cfg_schema kp_schema = TW_CFG_SCHEMA(tw_drug_kp_cfg, kp_fields, NULL);

static const tw_cfg_field drug_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_drug_cfg, name), .required = 1,
     .doc = "the drug's name, as doses refer to it"},
    {.key = "blood_plasma_ratio", .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_cfg, blood_plasma_ratio),
     .default_text = "1", .unit = "1", .doc = "blood:plasma concentration ratio B:P (> 0)"},
    {.key = "fu", .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_cfg, fu), .required = 1, .unit = "1",
     .doc = "fraction unbound in plasma, (0, 1]"},
    {.key = "kp", .type = TW_CFG_MAP, .offset = offsetof(tw_drug_cfg, kp), .required = 1, .sub = &kp_schema,
     .doc = "tissue:plasma partition coefficients of the 12 tissues"},
    {.key = "clint_l_per_h", .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_cfg, clint_l_per_h),
     .default_text = "0", .unit = "L/h", .doc = "unbound hepatic intrinsic clearance (well-stirred liver)"},
    {.key = "renal_factor", .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_cfg, renal_factor),
     .default_text = "1", .unit = "1",
     .doc = "renal plasma clearance = renal_factor * fu * GFR (1: filtration only; > 1 net secretion)"},
    {.key = "ka_per_h", .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_cfg, ka_per_h), .default_text = "1",
     .unit = "1/h", .doc = "first-order rate at which oral drug leaves the gut lumen"},
    {.key = "f_oral", .type = TW_CFG_NUMBER, .offset = offsetof(tw_drug_cfg, f_oral), .default_text = "1",
     .unit = "1", .doc = "fraction of the drug leaving the lumen that enters the gut wall (Fa*Fg); the "
                         "liver's first pass comes on top"},
};

void tw_drug_cfg_view(const tw_drug_cfg *c, tw_pbpk_drug *out) {
  out->name = c->name;
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++) out->kp[t] = c->kp.kp[t];
  out->bp = c->blood_plasma_ratio;
  out->fu = c->fu;
  out->clint_l_per_h = c->clint_l_per_h;
  out->renal_factor = c->renal_factor;
  out->ka_per_h = c->ka_per_h;
  out->f_oral = c->f_oral;
}

static tw_status drug_check(const tw_cfg_doc *doc, void *obj) {
  const tw_drug_cfg *c = obj;
  tw_pbpk_drug d;
  tw_drug_cfg_view(c, &d);
  return at_mark(doc, c->mark, "drugs", tw_pbpk_drug_check(&d));
}

const tw_cfg_schema tw_drug_schema = TW_CFG_SCHEMA(tw_drug_cfg, drug_fields, drug_check);

/* ---- PD effects ---- */

static const char *const effects[] = {"inhibition", "stimulation", NULL};

static const tw_cfg_field pd_fields[] = {
    {.key = "organ", .type = TW_CFG_STRING, .offset = offsetof(tw_pd_cfg, organ), .required = 1,
     .doc = "compartment whose drug concentration drives the effect (lung, heart, brain, muscle, adipose, "
            "skin, bone, gut, spleen, liver, kidney, rest, arterial_blood, venous_blood) or plasma"},
    {.key = "pack", .type = TW_CFG_STRING, .offset = offsetof(tw_pd_cfg, pack), .required = 1,
     .doc = "the pack whose parameter the drug changes (e.g. t1d)"},
    {.key = "parameter", .type = TW_CFG_STRING, .offset = offsetof(tw_pd_cfg, parameter), .required = 1,
     .doc = "the parameter it scales (e.g. kp1, endogenous glucose production)"},
    {.key = "effect", .type = TW_CFG_ENUM, .offset = offsetof(tw_pd_cfg, effect), .required = 1,
     .choices = effects, .doc = "inhibition: p (1 - emax E); stimulation: p (1 + emax E); E = C^h/(EC50^h + C^h)"},
    {.key = "emax", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pd_cfg, emax), .required = 1, .has_range = 1,
     .min = 0, .max = 1e6, .unit = "1", .doc = "Imax (inhibition, at most 1) or Emax (stimulation)"},
    {.key = "ec50_mg_per_l", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pd_cfg, ec50_mg_per_l), .required = 1,
     .unit = "mg/L", .doc = "concentration at half the maximum effect (> 0)"},
    {.key = "hill", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pd_cfg, hill), .default_text = "1",
     .has_range = 1, .min = 0.01, .max = 100, .unit = "1", .doc = "Hill coefficient h (1: plain Emax)"},
};

void tw_pd_cfg_view(const tw_pd_cfg *c, tw_pbpk_pd *out) {
  out->organ = c->organ;
  out->pack = c->pack;
  out->parameter = c->parameter;
  out->effect = c->effect;
  out->emax = c->emax;
  out->ec50_mg_per_l = c->ec50_mg_per_l;
  out->hill = c->hill;
}

static tw_status pd_check(const tw_cfg_doc *doc, void *obj) {
  const tw_pd_cfg *c = obj;
  if (strcmp(c->organ, "plasma") != 0 && tw_pbpk_organ_index(c->organ) < 0) {
    const char *best = "plasma";
    int best_d = tw_cfg_edit_distance(c->organ, best);
    for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++) {
      int d = tw_cfg_edit_distance(c->organ, tw_pbpk_organ_name(o));
      if (d < best_d) {
        best_d = d;
        best = tw_pbpk_organ_name(o);
      }
    }
    return tw_cfg_error_at(doc, c->mark, "pd: unknown organ '%s' (did you mean '%s'?)", c->organ, best);
  }
  if (c->effect == TW_PBPK_PD_INHIBITION && c->emax > 1.0)
    return tw_cfg_error_at(doc, c->mark, "pd: emax = %g: an inhibition's Imax must be in [0, 1]", c->emax);
  if (!(c->ec50_mg_per_l > 0.0))
    return tw_cfg_error_at(doc, c->mark, "pd: ec50_mg_per_l = %g must be > 0", c->ec50_mg_per_l);
  return TW_OK;
}

const tw_cfg_schema tw_pd_schema = TW_CFG_SCHEMA(tw_pd_cfg, pd_fields, pd_check);

tw_status tw_pd_cfg_couple(tw_model *m, const tw_pd_cfg *c, const tw_cfg_doc *doc) {
  tw_pbpk_pd pd;
  tw_pd_cfg_view(c, &pd);
  return at_mark(doc, c->mark, "pd", tw_pbpk_pd_couple(m, &pd, "effect"));
}

/* ---- subjects (covariates) ---- */

static const char *const sexes[] = {"male", "female", NULL};

static const tw_cfg_field subject_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_pbpk_subject_cfg, name), .required = 1,
     .doc = "the twin's name in the results"},
    {.key = "sex", .type = TW_CFG_ENUM, .offset = offsetof(tw_pbpk_subject_cfg, sex), .required = 1,
     .choices = sexes, .doc = "selects the ICRP 89 reference adult that is scaled"},
    {.key = "age_y", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pbpk_subject_cfg, age_y), .default_text = "35",
     .has_range = 1, .min = 18, .max = 100, .unit = "y", .doc = "age (cardiac output falls with age)"},
    {.key = "weight_kg", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pbpk_subject_cfg, weight_kg), .required = 1,
     .has_range = 1, .min = 30, .max = 250, .unit = "kg", .doc = "body weight"},
    {.key = "height_cm", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pbpk_subject_cfg, height_cm), .required = 1,
     .has_range = 1, .min = 130, .max = 220, .unit = "cm", .doc = "height (BMI must lie in [13, 70])"},
    {.key = "egfr", .type = TW_CFG_NUMBER, .offset = offsetof(tw_pbpk_subject_cfg, egfr), .default_text = "100",
     .has_range = 1, .min = 1, .max = 200, .unit = "mL/min/1.73m2", .doc = "estimated GFR (renal clearance)"},
};

void tw_pbpk_subject_cfg_view(const tw_pbpk_subject_cfg *c, tw_pbpk_covariates *out) {
  out->sex = c->sex;
  out->age_y = c->age_y;
  out->weight_kg = c->weight_kg;
  out->height_cm = c->height_cm;
  out->egfr_ml_min_173 = c->egfr;
}

static tw_status subject_check(const tw_cfg_doc *doc, void *obj) {
  const tw_pbpk_subject_cfg *c = obj;
  tw_pbpk_covariates cov;
  tw_pbpk_physiology ph;
  tw_pbpk_subject_cfg_view(c, &cov);
  return at_mark(doc, c->mark, "subjects", tw_pbpk_scale(&cov, &ph, c->name));
}

const tw_cfg_schema tw_pbpk_subject_schema = TW_CFG_SCHEMA(tw_pbpk_subject_cfg, subject_fields, subject_check);
