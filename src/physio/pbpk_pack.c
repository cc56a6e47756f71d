/*
** pbpk_pack.c: the `pbpk` pack: whole-body flow-limited PBPK for one drug.
**
** Declares the pack for the engine (pack.h): 18 states (14 compartment amounts,
** the gut lumen and three running totals of drug eliminated or unabsorbed), the
** per-twin parameters (volumes, cardiac output, flow fractions, partition
** coefficients, drug constants), three per-minute dosing inputs, observables
** (concentrations, mass-balance terms) and the organ graph, which is the
** blood-flow network with flow fractions as edge weights. The math is in
** pbpk_model.h (TW_HD); equations, sources and units are in docs/pbpk.md.
** Building the parameter vector from covariates and a drug: pbpk_drug.h, called
** by the pack's covariates hook; doses reach its inputs by route.
*/
#include "physio/pbpk_model.h"  /* the model's TW_HD functions and indexes */
#include "physio/pack.h"        /* tw_pack */
#include "physio/integrate.h"   /* integrator options and flags */
#include "physio/pbpk_drug.h"   /* parameters from covariates and a drug */

/* Integrator instances with the PBPK RHS inlined, float and double: DOPRI5 on
** the state, RK4 on the minute's increment (pbpk_model_impl.h, tw_pbpk_rhs_incr).
** Each include defines both methods; the one not used of each pair is unused. */
#define TW_INT_RK4 pbpk_rk4_unused_f64
#define TW_INT_DOPRI5 pbpk_dopri5_f64
#define TW_INT_REAL double
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_ctx_f64
#define TW_INT_RHS tw_pbpk_rhs_f64
#include "physio/integrate_body.h"
#define TW_INT_RK4 pbpk_rk4_f64
#define TW_INT_DOPRI5 pbpk_dopri5_unused_f64
#define TW_INT_REAL double
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_incr_ctx_f64
#define TW_INT_RHS tw_pbpk_rhs_incr_f64
#include "physio/integrate_body.h"
#define TW_INT_RK4 pbpk_rk4_unused_f32
#define TW_INT_DOPRI5 pbpk_dopri5_f32
#define TW_INT_REAL float
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_ctx_f32
#define TW_INT_RHS tw_pbpk_rhs_f32
#include "physio/integrate_body.h"
#define TW_INT_RK4 pbpk_rk4_f32
#define TW_INT_DOPRI5 pbpk_dopri5_unused_f32
#define TW_INT_REAL float
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_incr_ctx_f32
#define TW_INT_RHS tw_pbpk_rhs_incr_f32
#include "physio/integrate_body.h"

/* Nodes: the 14 compartments (tw_pbpk_organ order), then the gut lumen. */
enum { N_LUMEN = TW_PBPK_N_COMPARTMENTS, N_NODES };
static const char *const pbpk_nodes[N_NODES] = {
    "lung", "heart", "brain", "muscle", "adipose", "skin", "bone", "gut",
    "spleen", "liver", "kidney", "rest", "arterial_blood", "venous_blood", "gut_lumen"};

#define FP(f) (TW_PBPK_P_F + (f)) /* parameter index of a flow fraction */

/* The blood-flow network; weights are fractions of cardiac output. The liver's
** outflow is hepatic artery + gut + spleen: three parallel edges, one per
** inflow path, so an adjacency that sums parallel edges gets the total. */
static const tw_pack_edge pbpk_edges[] = {
    {TW_PBPK_VENOUS, TW_PBPK_LUNG, 1.0, -1},
    {TW_PBPK_LUNG, TW_PBPK_ARTERIAL, 1.0, -1},
    {TW_PBPK_ARTERIAL, TW_PBPK_HEART, 0, FP(TW_PBPK_F_HEART)},
    {TW_PBPK_HEART, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_HEART)},
    {TW_PBPK_ARTERIAL, TW_PBPK_BRAIN, 0, FP(TW_PBPK_F_BRAIN)},
    {TW_PBPK_BRAIN, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_BRAIN)},
    {TW_PBPK_ARTERIAL, TW_PBPK_MUSCLE, 0, FP(TW_PBPK_F_MUSCLE)},
    {TW_PBPK_MUSCLE, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_MUSCLE)},
    {TW_PBPK_ARTERIAL, TW_PBPK_ADIPOSE, 0, FP(TW_PBPK_F_ADIPOSE)},
    {TW_PBPK_ADIPOSE, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_ADIPOSE)},
    {TW_PBPK_ARTERIAL, TW_PBPK_SKIN, 0, FP(TW_PBPK_F_SKIN)},
    {TW_PBPK_SKIN, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_SKIN)},
    {TW_PBPK_ARTERIAL, TW_PBPK_BONE, 0, FP(TW_PBPK_F_BONE)},
    {TW_PBPK_BONE, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_BONE)},
    {TW_PBPK_ARTERIAL, TW_PBPK_KIDNEY, 0, FP(TW_PBPK_F_KIDNEY)},
    {TW_PBPK_KIDNEY, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_KIDNEY)},
    {TW_PBPK_ARTERIAL, TW_PBPK_REST, 0, FP(TW_PBPK_F_REST)},
    {TW_PBPK_REST, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_REST)},
    {TW_PBPK_ARTERIAL, TW_PBPK_GUT, 0, FP(TW_PBPK_F_GUT)},
    {TW_PBPK_GUT, TW_PBPK_LIVER, 0, FP(TW_PBPK_F_GUT)},
    {TW_PBPK_ARTERIAL, TW_PBPK_SPLEEN, 0, FP(TW_PBPK_F_SPLEEN)},
    {TW_PBPK_SPLEEN, TW_PBPK_LIVER, 0, FP(TW_PBPK_F_SPLEEN)},
    {TW_PBPK_ARTERIAL, TW_PBPK_LIVER, 0, FP(TW_PBPK_F_HEPATIC_ARTERY)},
    {TW_PBPK_LIVER, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_HEPATIC_ARTERY)},
    {TW_PBPK_LIVER, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_GUT)},
    {TW_PBPK_LIVER, TW_PBPK_VENOUS, 0, FP(TW_PBPK_F_SPLEEN)},
};

static const tw_pack_var pbpk_states[TW_PBPK_N_STATES] = {
    {"a_lung", "mg", TW_PBPK_LUNG, "drug in lung tissue"},
    {"a_heart", "mg", TW_PBPK_HEART, "drug in heart tissue"},
    {"a_brain", "mg", TW_PBPK_BRAIN, "drug in the brain"},
    {"a_muscle", "mg", TW_PBPK_MUSCLE, "drug in skeletal muscle"},
    {"a_adipose", "mg", TW_PBPK_ADIPOSE, "drug in adipose tissue"},
    {"a_skin", "mg", TW_PBPK_SKIN, "drug in skin"},
    {"a_bone", "mg", TW_PBPK_BONE, "drug in the skeleton"},
    {"a_gut", "mg", TW_PBPK_GUT, "drug in the gut wall"},
    {"a_spleen", "mg", TW_PBPK_SPLEEN, "drug in the spleen"},
    {"a_liver", "mg", TW_PBPK_LIVER, "drug in the liver"},
    {"a_kidney", "mg", TW_PBPK_KIDNEY, "drug in the kidneys"},
    {"a_rest", "mg", TW_PBPK_REST, "drug in the rest of the body"},
    {"a_arterial_blood", "mg", TW_PBPK_ARTERIAL, "drug in arterial blood"},
    {"a_venous_blood", "mg", TW_PBPK_VENOUS, "drug in venous blood"},
    {"a_gut_lumen", "mg", N_LUMEN, "oral drug not yet absorbed or lost"},
    {"a_eliminated_hepatic", "mg", TW_PBPK_LIVER, "drug metabolised in the liver so far"},
    {"a_eliminated_renal", "mg", TW_PBPK_KIDNEY, "drug excreted by the kidneys so far"},
    {"a_unabsorbed", "mg", N_LUMEN, "oral drug that left the lumen unabsorbed (faeces)"},
};

/* Ranges: any plausible adult and drug, narrow enough to catch a unit mistake. */
#define V_RANGE(name, what) {"v_" name, "L", 1e-4, 200, what " volume"}
#define F_RANGE(name) {"f_" name, "1", 0, 1, "fraction of cardiac output through " name}
#define KP_RANGE(name) {"kp_" name, "1", 1e-4, 1e4, "tissue:plasma partition coefficient of " name}
static const tw_pack_param pbpk_params[TW_PBPK_N_PARAMS] = {
    V_RANGE("lung", "lung tissue"), V_RANGE("heart", "heart tissue"), V_RANGE("brain", "brain"),
    V_RANGE("muscle", "skeletal muscle"), V_RANGE("adipose", "adipose tissue"), V_RANGE("skin", "skin"),
    V_RANGE("bone", "skeleton"), V_RANGE("gut", "gut wall"), V_RANGE("spleen", "spleen"),
    V_RANGE("liver", "liver"), V_RANGE("kidney", "kidney"), V_RANGE("rest", "rest-of-body"),
    V_RANGE("arterial_blood", "arterial blood"), V_RANGE("venous_blood", "venous blood"),
    {"co", "L/min", 0.5, 30, "cardiac output"},
    F_RANGE("heart"), F_RANGE("brain"), F_RANGE("muscle"), F_RANGE("adipose"), F_RANGE("skin"),
    F_RANGE("bone"), F_RANGE("gut"), F_RANGE("spleen"), F_RANGE("hepatic_artery"),
    F_RANGE("kidney"), F_RANGE("rest"),
    KP_RANGE("lung"), KP_RANGE("heart"), KP_RANGE("brain"), KP_RANGE("muscle"),
    KP_RANGE("adipose"), KP_RANGE("skin"), KP_RANGE("bone"), KP_RANGE("gut"),
    KP_RANGE("spleen"), KP_RANGE("liver"), KP_RANGE("kidney"), KP_RANGE("rest"),
    {"bp", "1", 0.05, 20, "blood:plasma concentration ratio"},
    {"fu", "1", 1e-6, 1, "fraction unbound in plasma"},
    {"clint", "L/min", 0, 1e5, "unbound hepatic intrinsic clearance"},
    {"clr", "L/min", 0, 10, "renal plasma clearance"},
    {"ka", "1/min", 0, 10, "first-order absorption rate from the gut lumen"},
    {"f_oral", "1", 0, 1, "fraction of the lumen outflow absorbed into the gut wall"},
};
#undef V_RANGE
#undef F_RANGE
#undef KP_RANGE

static const tw_pack_input pbpk_inputs[TW_PBPK_N_INPUTS] = {
    {"iv_bolus", "mg", "IV bolus into venous blood at the start of this minute"},
    {"oral", "mg", "oral dose into the gut lumen at the start of this minute"},
    {"iv_infusion", "mg/min", "IV infusion rate into venous blood held over this minute"},
};

#define C_OBS(name, node, what) {"c_" name, "mg/L", node, what, 0}
static const tw_pack_obs pbpk_obs[TW_PBPK_N_OBS] = {
    C_OBS("lung", TW_PBPK_LUNG, "lung tissue concentration"),
    C_OBS("heart", TW_PBPK_HEART, "heart tissue concentration"),
    C_OBS("brain", TW_PBPK_BRAIN, "brain concentration"),
    C_OBS("muscle", TW_PBPK_MUSCLE, "muscle concentration"),
    C_OBS("adipose", TW_PBPK_ADIPOSE, "adipose concentration"),
    C_OBS("skin", TW_PBPK_SKIN, "skin concentration"),
    C_OBS("bone", TW_PBPK_BONE, "skeleton concentration"),
    C_OBS("gut", TW_PBPK_GUT, "gut wall concentration"),
    C_OBS("spleen", TW_PBPK_SPLEEN, "spleen concentration"),
    C_OBS("liver", TW_PBPK_LIVER, "liver concentration"),
    C_OBS("kidney", TW_PBPK_KIDNEY, "kidney concentration"),
    C_OBS("rest", TW_PBPK_REST, "rest-of-body concentration"),
    C_OBS("arterial_blood", TW_PBPK_ARTERIAL, "arterial whole-blood concentration"),
    C_OBS("venous_blood", TW_PBPK_VENOUS, "venous whole-blood concentration"),
    {"c_plasma", "mg/L", TW_PBPK_VENOUS, "venous plasma concentration (venous blood / BP)", 1},
    {"a_body", "mg", -1, "drug in the 14 compartments", 1},
    {"a_gut_lumen", "mg", N_LUMEN, "drug in the gut lumen", 0},
    {"a_eliminated_hepatic", "mg", TW_PBPK_LIVER, "metabolised so far", 0},
    {"a_eliminated_renal", "mg", TW_PBPK_KIDNEY, "excreted so far", 0},
    {"a_unabsorbed", "mg", N_LUMEN, "unabsorbed so far", 0},
};
#undef C_OBS

/* ---- per-twin entry points and the batched fast path, float and double ---- */

static void pbpk_init_f64(const double *p, double *x, double *d) {
  (void)p;
  (void)d; /* no discrete variables: doses are inputs */
  for (int s = 0; s < TW_PBPK_N_STATES; ++s) x[s] = 0.0;
}

#define TW_PBPK_ADV_REAL double
#define TW_PBPK_ADV_SUF(name) name##_f64
#include "physio/pbpk_advance.h"
#define TW_PBPK_ADV_REAL float
#define TW_PBPK_ADV_SUF(name) name##_f32
#include "physio/pbpk_advance.h"

/* Twins per OpenMP work item. */
#define PBPK_BLOCK 256

static int pbpk_advance(const tw_pack *pack, tw_physio_batch *b, int64_t minute, int n_minutes) {
  (void)pack;
  (void)minute; /* the model does not depend on the clock, only on the inputs */
  /* one range function per precision handles both integrators */
  static const tw_pack_ranges ranges = {{{pbpk_advance_range_f64, pbpk_advance_range_f64},
                                         {pbpk_advance_range_f32, pbpk_advance_range_f32}}};
  return tw_pack_advance_blocks("pbpk", &ranges, PBPK_BLOCK, b, n_minutes);
}

/* ---- what a run's setup reads ---- */

/* Drug doses by route. */
static const tw_pack_event pbpk_events[] = {
    {TW_EVENT_DOSE_ORAL, "oral"},
    {TW_EVENT_DOSE_IV_BOLUS, "iv_bolus"},
    {TW_EVENT_DOSE_IV_INFUSION, "iv_infusion"},
};

/* A twin's parameters from its covariates and the run's drug: the subject's
** covariates when given; else, when another pack holds the twin's body weight
** (t1d's BW), the ICRP reference male at that weight; else the reference adult
** the twin is named after (icrp_male, icrp_female). */
static int pbpk_from_covariates(const tw_pack_twin *tw, double *p) {
  tw_pbpk_covariates cov;
  if (!tw->drug) return TW_FAIL(TW_ERR_INPUT, "%s: pack pbpk needs one drug under drugs:", tw->who);
  if (tw->has_covariates) {
    cov.sex = tw->sex;
    cov.age_y = tw->age_y;
    cov.weight_kg = tw->weight_kg;
    cov.height_cm = tw->height_cm;
    cov.egfr_ml_min_173 = tw->egfr;
  } else if (tw->body_weight_kg > 0.0) {
    TW_TRY(tw_pbpk_reference_covariates(TW_PBPK_MALE, &cov));
    cov.weight_kg = tw->body_weight_kg;
  } else {
    TW_TRY(tw_pbpk_reference_by_name(tw->name, &cov, tw->who));
  }
  return tw_pbpk_twin_params(&cov, (const tw_pbpk_drug *)tw->drug, p, tw->who);
}

const tw_pack tw_pack_pbpk = {
    .name = "pbpk",
    .summary = "whole-body flow-limited PBPK, one drug (ICRP 89 physiology, well-stirred liver, eGFR-scaled kidney)",
    .n_states = TW_PBPK_N_STATES, .states = pbpk_states,
    .n_disc = 0, .disc = NULL,
    .n_params = TW_PBPK_N_PARAMS, .params = pbpk_params,
    .n_inputs = TW_PBPK_N_INPUTS, .inputs = pbpk_inputs,
    .n_obs = TW_PBPK_N_OBS, .obs = pbpk_obs,
    .n_nodes = N_NODES, .nodes = pbpk_nodes,
    .n_edges = (int)TW_ARRAY_LEN(pbpk_edges), .edges = pbpk_edges,
    .init_f64 = pbpk_init_f64,
    .minute_f64 = pbpk_minute_f64, .rhs_f64 = pbpk_rhs_f64, .observe_f64 = pbpk_observe_f64,
    .minute_f32 = pbpk_minute_f32, .rhs_f32 = pbpk_rhs_f32, .observe_f32 = pbpk_observe_f32,
    .advance = pbpk_advance,
    .n_events = (int)TW_ARRAY_LEN(pbpk_events), .events = pbpk_events,
    .from_covariates = pbpk_from_covariates,
    .needs_drug = 1,
};
