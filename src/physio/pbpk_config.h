/*
** pbpk_config.h: YAML schemas for PBPK drugs, PD effects and PBPK subjects
** (core/config.h), for the `simulate` config's `drugs:`, `pd:` and twins.
**
**   drugs:
**     - name: metformin_like
**       blood_plasma_ratio: 1.0        # default 1
**       fu: 0.9                        # fraction unbound in plasma, (0, 1]
**       kp: {lung: 1.1, heart: 1.3, brain: 0.3, muscle: 1.4, adipose: 0.3, skin: 1.0,
**            bone: 0.7, gut: 2.5, spleen: 1.2, liver: 2.0, kidney: 3.5, rest: 1.0}
**       clint_l_per_h: 10              # unbound hepatic intrinsic clearance; default 0
**       renal_factor: 3.0              # CL_r = renal_factor * fu * GFR; default 1
**       ka_per_h: 0.8                  # default 1
**       f_oral: 0.6                    # fraction of the lumen outflow absorbed; default 1
**   pd:
**     - {organ: liver, pack: t1d, parameter: kp1, effect: inhibition,
**        emax: 0.4, ec50_mg_per_l: 1.5, hill: 1}
**   subjects:                          # PBPK twins by covariates
**     - {name: p1, sex: female, age_y: 62, weight_kg: 81, height_cm: 165, egfr: 70}
**
** Schema checks give FILE:LINE:COL messages: a partition coefficient <= 0, fu
** outside (0, 1], an unknown organ in a PD effect (with the nearest name).
*/
#ifndef TW_PBPK_CONFIG_H
#define TW_PBPK_CONFIG_H

#include "core/config.h"            /* tw_cfg_schema, tw_cfg_mark */
#include "physio/pbpk_drug.h"       /* tw_pbpk_drug */
#include "physio/pbpk_pd.h"         /* tw_pbpk_pd */
#include "physio/pbpk_physiology.h" /* tw_pbpk_covariates, TW_PBPK_N_TISSUES */

TW_EXTERN_C_BEGIN

typedef struct tw_drug_kp_cfg {
  tw_cfg_mark mark;
  double kp[TW_PBPK_N_TISSUES]; /* tw_pbpk_organ order: lung .. rest */
} tw_drug_kp_cfg;

typedef struct tw_drug_cfg {
  tw_cfg_mark mark;
  char *name;
  double blood_plasma_ratio;
  double fu;
  tw_drug_kp_cfg kp;
  double clint_l_per_h;
  double renal_factor;
  double ka_per_h;
  double f_oral;
} tw_drug_cfg;

typedef struct tw_pd_cfg {
  tw_cfg_mark mark;
  char *organ;      /* compartment or "plasma" */
  char *pack;       /* target pack */
  char *parameter;  /* target parameter */
  int effect;       /* tw_pbpk_pd_effect */
  double emax, ec50_mg_per_l, hill;
} tw_pd_cfg;

typedef struct tw_pbpk_subject_cfg {
  tw_cfg_mark mark;
  char *name;
  int sex; /* tw_pbpk_sex */
  double age_y, weight_kg, height_cm, egfr;
} tw_pbpk_subject_cfg;

extern const tw_cfg_schema tw_drug_schema, tw_pd_schema, tw_pbpk_subject_schema;

/* Views of bound configs as engine structs (pointers into `c`, which must outlive them). */
void tw_drug_cfg_view(const tw_drug_cfg *c, tw_pbpk_drug *out);
void tw_pd_cfg_view(const tw_pd_cfg *c, tw_pbpk_pd *out);
void tw_pbpk_subject_cfg_view(const tw_pbpk_subject_cfg *c, tw_pbpk_covariates *out);

/* Adds the PD effect to the model (tw_pbpk_pd_couple); an unknown pack or
** parameter is reported at the effect's position in `doc`. */
tw_status tw_pd_cfg_couple(tw_model *m, const tw_pd_cfg *c, const tw_cfg_doc *doc);

TW_EXTERN_C_END

#endif
