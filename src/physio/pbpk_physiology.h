/*
** pbpk_physiology.h: the body a PBPK twin's drug moves through.
**
** The whole-body PBPK model (pbpk_model.h) needs, per twin, the volume of every
** compartment and the blood flow through it. This header names the compartments
** and turns a person's covariates (sex, age, weight, height, eGFR) into those
** volumes and flows, starting from the ICRP Publication 89 (2002) reference adult
** male and female and scaling them as docs/pbpk.md explains (and sources, value
** by value). The scaling runs once per twin on the host; the right-hand side
** only ever sees the resulting numbers.
**
**   tw_pbpk_covariates c;  tw_pbpk_reference_covariates(TW_PBPK_MALE, &c);
**   c.weight_kg = 95;      tw_pbpk_physiology ph;
**   TW_TRY(tw_pbpk_scale(&c, &ph, "twin 17"));   // ph.volume_l[TW_PBPK_LIVER], ph.cardiac_output_l_per_min, ...
*/
#ifndef TW_PBPK_PHYSIOLOGY_H
#define TW_PBPK_PHYSIOLOGY_H

#include "core/status.h" /* tw_status */

TW_EXTERN_C_BEGIN

/* The compartments, in state order. The first twelve are tissues (each with a
** tissue:plasma partition coefficient); the last two are the blood pools. */
typedef enum tw_pbpk_organ {
  TW_PBPK_LUNG = 0,
  TW_PBPK_HEART,
  TW_PBPK_BRAIN,
  TW_PBPK_MUSCLE,
  TW_PBPK_ADIPOSE,
  TW_PBPK_SKIN,
  TW_PBPK_BONE,
  TW_PBPK_GUT,
  TW_PBPK_SPLEEN,
  TW_PBPK_LIVER,
  TW_PBPK_KIDNEY,
  TW_PBPK_REST,      /* rest of body: closes the mass and flow balances */
  TW_PBPK_ARTERIAL,  /* arterial blood */
  TW_PBPK_VENOUS,    /* venous blood */
  TW_PBPK_N_COMPARTMENTS
} tw_pbpk_organ;

enum { TW_PBPK_N_TISSUES = TW_PBPK_REST + 1 };

typedef enum tw_pbpk_sex { TW_PBPK_MALE = 0, TW_PBPK_FEMALE = 1 } tw_pbpk_sex;

/* A person's covariates. Adult ranges are checked by tw_pbpk_scale. */
typedef struct tw_pbpk_covariates {
  int sex;                  /* tw_pbpk_sex */
  double age_y;             /* years, [18, 100] */
  double weight_kg;         /* [30, 250] */
  double height_cm;         /* [130, 220], and BMI in [13, 70] kg/m^2 */
  double egfr_ml_min_173;   /* estimated GFR, mL/min per 1.73 m^2, [1, 200] */
} tw_pbpk_covariates;

/* Blood-flow fractions of cardiac output that the model needs, besides the lung
** (which takes the whole cardiac output). The liver's own outflow is
** hepatic artery + gut + spleen (portal vein). */
typedef enum tw_pbpk_flow {
  TW_PBPK_F_HEART = 0,
  TW_PBPK_F_BRAIN,
  TW_PBPK_F_MUSCLE,
  TW_PBPK_F_ADIPOSE,
  TW_PBPK_F_SKIN,
  TW_PBPK_F_BONE,
  TW_PBPK_F_GUT,
  TW_PBPK_F_SPLEEN,
  TW_PBPK_F_HEPATIC_ARTERY,
  TW_PBPK_F_KIDNEY,
  TW_PBPK_F_REST,
  TW_PBPK_N_FLOWS
} tw_pbpk_flow;

typedef struct tw_pbpk_physiology {
  double volume_l[TW_PBPK_N_COMPARTMENTS];   /* tissue volumes (blood-free) and the two blood pools */
  double flow_fraction[TW_PBPK_N_FLOWS];     /* fractions of cardiac output; sum to 1 with liver = HA + gut + spleen */
  double cardiac_output_l_per_min;
  double gfr_ml_min;                         /* absolute GFR: eGFR * BSA / 1.73 */
  double bsa_m2;                             /* Du Bois & Du Bois */
  double lean_mass_kg;                       /* Janmahasatian et al. 2005 */
  double hematocrit;                         /* reference value of the sex (ICRP 89 Table 2.12) */
} tw_pbpk_physiology;

/* The ICRP 89 reference adult of `sex` (age 35 y) with eGFR 100 mL/min/1.73 m^2. */
tw_status tw_pbpk_reference_covariates(int sex, tw_pbpk_covariates *out);

/* The reference adults by name, "icrp_male" / "icrp_female" (a twins.reference
** entry of a pbpk simulation); TW_ERR_INPUT naming `who` and the known names. */
tw_status tw_pbpk_reference_by_name(const char *name, tw_pbpk_covariates *out, const char *who);

/* Scales the reference physiology of c->sex to the covariates `c`. Covariates
** outside the adult ranges above are TW_ERR_INPUT naming `who` (a twin, a file
** position) and the field. The reference covariates reproduce the reference
** volumes and flows exactly (tests/pbpk/test_physiology.c). */
tw_status tw_pbpk_scale(const tw_pbpk_covariates *c, tw_pbpk_physiology *out, const char *who);

/* "lung", "heart", ..., "arterial_blood", "venous_blood"; NULL out of range. */
const char *tw_pbpk_organ_name(int organ);
/* Index of the compartment called `name`, or -1. */
int tw_pbpk_organ_index(const char *name);
/* "heart", ..., "hepatic_artery", "kidney", "rest"; NULL out of range. */
const char *tw_pbpk_flow_name(int flow);

TW_EXTERN_C_END

#endif
