/*
** t1d.c: the `t1d` pack: its declaration (states, parameters with their valid
** ranges, inputs, observables, organ graph; the scenario events it takes, its
** reference basal, its 30 reference patients, the observable a CGM reads), the
** per-twin entry points and the batched CPU fast path. The math is in t1d.h / t1d_body.h (TW_HD, shared with
** cuda/physio_t1d.cu); equations and units are listed in docs/physiology.md.
*/
/* No FP-exception semantics are needed here; without this pragma GCC will not
** if-convert the model's selects (a comparison "could trap") and the twin loops
** stay scalar. Results are unchanged: only the order of evaluation is freed. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include "physio/t1d.h"          /* the model's TW_HD functions and indexes */
#include "physio/pack.h"         /* tw_pack */
#include "physio/integrate.h"    /* integrator options and flags */
#include "physio/param_table.h"  /* the compiled-in patient table */

/* Integrator instances with the t1d RHS inlined, float and double. */
#define TW_INT_RK4 t1d_rk4_f64
#define TW_INT_DOPRI5 t1d_dopri5_f64
#define TW_INT_REAL double
#define TW_INT_NMAX TW_T1D_NSTATES
#define TW_INT_CTX tw_t1d_ctx_f64
#define TW_INT_RHS tw_t1d_rhs_f64
#include "physio/integrate_body.h"
#define TW_INT_RK4 t1d_rk4_f32
#define TW_INT_DOPRI5 t1d_dopri5_f32
#define TW_INT_REAL float
#define TW_INT_NMAX TW_T1D_NSTATES
#define TW_INT_CTX tw_t1d_ctx_f32
#define TW_INT_RHS tw_t1d_rhs_f32
#include "physio/integrate_body.h"

/* Organ graph: stomach -> gut -> plasma <-> tissue, plasma -> subcutis (glucose
** sensing), subcutis -> plasma (insulin absorption), plasma <-> liver. */
enum { N_STOMACH, N_GUT, N_PLASMA, N_TISSUE, N_LIVER, N_SUBCUT, N_REMOTE, N_NODES };
static const char *const t1d_nodes[N_NODES] = {"stomach", "gut", "plasma", "tissue",
                                               "liver", "subcutis", "remote_insulin"};

static const tw_pack_edge t1d_edges[] = {
    {N_STOMACH, N_GUT, 1.0, -1},  {N_GUT, N_PLASMA, 1.0, -1},    {N_PLASMA, N_TISSUE, 1.0, -1},
    {N_TISSUE, N_PLASMA, 1.0, -1}, {N_PLASMA, N_LIVER, 1.0, -1},  {N_LIVER, N_PLASMA, 1.0, -1},
    {N_SUBCUT, N_PLASMA, 1.0, -1}, {N_PLASMA, N_SUBCUT, 1.0, -1}, {N_PLASMA, N_REMOTE, 1.0, -1},
};

static const tw_pack_var t1d_states[TW_T1D_NSTATES] = {
    {"qsto1", "mg", N_STOMACH, "glucose in the stomach, solid phase"},
    {"qsto2", "mg", N_STOMACH, "glucose in the stomach, liquid phase"},
    {"qgut", "mg", N_GUT, "glucose in the gut"},
    {"gp", "mg/kg", N_PLASMA, "glucose mass in plasma and rapidly equilibrating tissues"},
    {"gt", "mg/kg", N_TISSUE, "glucose mass in slowly equilibrating tissues"},
    {"ip", "pmol/kg", N_PLASMA, "insulin mass in plasma"},
    {"x", "pmol/L", N_REMOTE, "insulin action on glucose utilisation"},
    {"xi1", "pmol/L", N_REMOTE, "delayed insulin action on production, stage 1"},
    {"xi2", "pmol/L", N_REMOTE, "delayed insulin action on production, stage 2"},
    {"il", "pmol/kg", N_LIVER, "insulin mass in the liver"},
    {"isc1", "pmol/kg", N_SUBCUT, "subcutaneous insulin, non-monomeric"},
    {"isc2", "pmol/kg", N_SUBCUT, "subcutaneous insulin, monomeric"},
    {"gsub", "mg/kg", N_SUBCUT, "subcutaneous glucose"},
};

static const tw_pack_var t1d_disc[TW_T1D_NDISC] = {
    {"planned_meal", "g", N_STOMACH, "carbohydrate announced and not yet eaten"},
    {"cho", "g/min", N_STOMACH, "carbohydrate eaten during the current minute"},
    {"last_cho", "g/min", N_STOMACH, "carbohydrate eaten during the previous minute"},
    {"last_qsto", "mg", N_STOMACH, "stomach content when the current meal started"},
    {"foodtaken", "g", N_STOMACH, "carbohydrate eaten since the current meal started"},
    {"eating", "1", N_STOMACH, "1 while a meal is being eaten"},
    {"dbar", "mg", N_STOMACH, "last_qsto + 1000 foodtaken (gastric emptying scale)"},
};

/* Ranges: wide enough for any plausible adult or child, narrow enough to catch a
** unit mistake (the 30 reference patients lie well inside). */
static const tw_pack_param t1d_params[TW_T1D_NPARAMS] = {
    {"x0_1", "mg", 0, 1e6, "initial qsto1"},
    {"x0_2", "mg", 0, 1e6, "initial qsto2"},
    {"x0_3", "mg", 0, 1e6, "initial qgut"},
    {"x0_4", "mg/kg", 0, 2000, "initial gp"},
    {"x0_5", "mg/kg", 0, 2000, "initial gt"},
    {"x0_6", "pmol/kg", 0, 1000, "initial ip"},
    {"x0_7", "pmol/L", -1000, 1000, "initial x"},
    {"x0_8", "pmol/L", 0, 5000, "initial xi1"},
    {"x0_9", "pmol/L", 0, 5000, "initial xi2"},
    {"x0_10", "pmol/kg", 0, 1000, "initial il"},
    {"x0_11", "pmol/kg", 0, 1e5, "initial isc1"},
    {"x0_12", "pmol/kg", 0, 1e5, "initial isc2"},
    {"x0_13", "mg/kg", 0, 2000, "initial gsub"},
    {"BW", "kg", 5, 300, "body weight"},
    {"kabs", "1/min", 1e-4, 5, "rate constant of intestinal absorption"},
    {"kmax", "1/min", 1e-4, 1, "maximum rate of gastric emptying"},
    {"kmin", "1/min", 1e-5, 1, "minimum rate of gastric emptying"},
    {"b", "1", 1e-3, 0.999, "fraction of the dose at which gastric emptying falls to (kmax-kmin)/2 (first flex)"},
    {"d", "1", 1e-3, 0.999, "fraction of the dose at which gastric emptying is back to (kmax-kmin)/2 (second flex)"},
    {"Vg", "dL/kg", 0.1, 10, "distribution volume of glucose"},
    {"Vi", "L/kg", 1e-3, 1, "distribution volume of insulin"},
    {"Vmx", "mg/kg/min per pmol/L", 0, 5, "insulin-dependent glucose utilisation, slope"},
    {"Km0", "mg/kg", 1, 5000, "Michaelis constant of glucose utilisation"},
    {"k2", "1/min", 0, 5, "rate from tissue to plasma glucose"},
    {"k1", "1/min", 0, 5, "rate from plasma to tissue glucose"},
    {"p2u", "1/min", 0, 5, "rate of insulin action on utilisation"},
    {"m1", "1/min", 0, 5, "rate from liver to plasma insulin"},
    {"m2", "1/min", 0, 5, "rate from plasma to liver insulin"},
    {"m4", "1/min", 0, 5, "peripheral insulin degradation"},
    {"m30", "1/min", 0, 5, "hepatic insulin extraction"},
    {"ki", "1/min", 0, 5, "rate of delayed insulin action on production"},
    {"kp1", "mg/kg/min", 0, 100, "extrapolated endogenous glucose production at zero glucose and insulin"},
    {"kp2", "1/min", 0, 5, "liver glucose effectiveness"},
    {"kp3", "mg/kg/min per pmol/L", 0, 5, "insulin action on the liver"},
    {"f", "1", 0, 1, "fraction of intestinal absorption that appears in plasma"},
    {"ke1", "1/min", 0, 1, "glomerular filtration rate"},
    {"ke2", "mg/kg", 0, 5000, "renal threshold of glucose"},
    {"Fsnc", "mg/kg/min", 0, 50, "insulin-independent glucose utilisation"},
    {"Vm0", "mg/kg/min", 0, 500, "insulin-independent part of Vm"},
    {"kd", "1/min", 0, 5, "rate from the first to the second subcutaneous depot"},
    {"ksc", "1/min", 1e-4, 5, "rate of subcutaneous glucose equilibration"},
    {"ka1", "1/min", 0, 5, "absorption rate from subcutaneous depot 1"},
    {"ka2", "1/min", 0, 5, "absorption rate from subcutaneous depot 2"},
    {"u2ss", "pmol/kg/min", 0, 100, "steady-state (basal) insulin infusion"},
    {"Ib", "pmol/L", 0, 5000, "basal plasma insulin"},
};

static const tw_pack_input t1d_inputs[TW_T1D_NINPUTS] = {
    {"cho", "g", "carbohydrate announced at this minute (eaten at 5 g/min from now)"},
    {"insulin", "U/min", "subcutaneous insulin rate held over this minute (basal + bolus)"},
};

static const tw_pack_obs t1d_obs[TW_T1D_NOBS] = {
    {"bg", "mg/dL", N_SUBCUT, "blood glucose as simglucose reports it: gsub / Vg", 1},
    {"plasma_glucose", "mg/dL", N_PLASMA, "gp / Vg", 0},
    {"plasma_insulin", "pmol/L", N_PLASMA, "ip / Vi", 1},
    {"iob", "U", N_SUBCUT, "insulin on board: insulin in the subcutaneous depots, (isc1+isc2) BW/6000", 0},
};

/* ---- per-twin entry points (contiguous vectors) ---- */

static void t1d_init_f64(const double *p, double *x, double *d) {
  for (int s = 0; s < TW_T1D_NSTATES; ++s) x[s] = p[TW_T1D_P_X0 + s];
  for (int k = 0; k < TW_T1D_NDISC; ++k) d[k] = 0.0;
  /* T1DPatient.reset: _last_Qsto = x0[0] + x0[1], _last_foodtaken = 0 */
  d[TW_T1D_D_LAST_QSTO] = x[0] + x[1];
  d[TW_T1D_D_DBAR] = x[0] + x[1];
}

static void t1d_minute_f64(int64_t minute, double *x, const double *p, const double *u,
                           double *d) {
  (void)minute;
  (void)p;
  tw_t1d_minute_f64(x[0] + x[1], u[TW_T1D_U_CHO], d, 1);
}

static void t1d_minute_f32(int64_t minute, float *x, const float *p, const float *u, float *d) {
  (void)minute;
  (void)p;
  tw_t1d_minute_f32(x[0] + x[1], u[TW_T1D_U_CHO], d, 1);
}

static void t1d_rhs_f64(const double *x, const double *p, const double *u, const double *d,
                        double *dx) {
  tw_t1d_ctx_f64 c;
  tw_t1d_ctx_load_f64(&c, p, 1);
  tw_t1d_ctx_inputs_f64(&c, d[TW_T1D_D_CHO], u[TW_T1D_U_INSULIN], d[TW_T1D_D_DBAR]);
  tw_t1d_rhs_f64(&c, x, dx);
}

static void t1d_rhs_f32(const float *x, const float *p, const float *u, const float *d,
                        float *dx) {
  tw_t1d_ctx_f32 c;
  tw_t1d_ctx_load_f32(&c, p, 1);
  tw_t1d_ctx_inputs_f32(&c, d[TW_T1D_D_CHO], u[TW_T1D_U_INSULIN], d[TW_T1D_D_DBAR]);
  tw_t1d_rhs_f32(&c, x, dx);
}

static void t1d_observe_f64(const double *x, const double *p, const double *d, double *obs) {
  (void)d;
  tw_t1d_observe_f64(x, p[TW_T1D_P_Vg], p[TW_T1D_P_Vi], p[TW_T1D_P_BW], obs, 1);
}

static void t1d_observe_f32(const float *x, const float *p, const float *d, float *obs) {
  (void)d;
  tw_t1d_observe_f32(x, p[TW_T1D_P_Vg], p[TW_T1D_P_Vi], p[TW_T1D_P_BW], obs, 1);
}

/* ---- batched fast path ---- */

#define TW_T1D_REAL double
#define TW_T1D_SUF(name) name##_f64
#include "physio/t1d_advance.h"
#define TW_T1D_REAL float
#define TW_T1D_SUF(name) name##_f32
#include "physio/t1d_advance.h"

/* RK4 blocks end with a finiteness check (DOPRI5 checks as it steps). */
static void t1d_rk4_checked_f64(tw_physio_batch *b, int n_minutes, int64_t i0, int64_t i1) {
  t1d_rk4_range_f64(b, n_minutes, i0, i1);
  t1d_check_range_f64(b, i0, i1);
}

static void t1d_rk4_checked_f32(tw_physio_batch *b, int n_minutes, int64_t i0, int64_t i1) {
  t1d_rk4_range_f32(b, n_minutes, i0, i1);
  t1d_check_range_f32(b, i0, i1);
}

/* Twins per OpenMP work item: enough for long vector loops, few enough to balance. */
#define T1D_BLOCK 256

static int t1d_advance(const tw_pack *pack, tw_physio_batch *b, int64_t minute, int n_minutes) {
  (void)pack;
  (void)minute; /* the model does not depend on the clock, only on the inputs */
  static const tw_pack_ranges ranges = {{{t1d_rk4_checked_f64, t1d_dopri5_range_f64},
                                         {t1d_rk4_checked_f32, t1d_dopri5_range_f32}}};
  return tw_pack_advance_blocks("t1d", &ranges, T1D_BLOCK, b, n_minutes);
}

/* ---- what a run's setup reads ---- */

/* Meals announce carbohydrate; boluses and basal are subcutaneous insulin. */
static const tw_pack_event t1d_events[] = {
    {TW_EVENT_MEAL, "cho"},
    {TW_EVENT_BOLUS, "insulin"},
    {TW_EVENT_BASAL, "insulin"},
};

/* `basal_u_per_h: reference`: the steady-state basal u2ss (pmol/kg/min) times
** BW, in U/min (1 U = 6000 pmol), as simglucose's basal controller gives it. */
static double t1d_basal(const double *p) { return p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0; }

/* simglucose's 30 virtual patients (data/simglucose, MIT licence). */
static const tw_pack_reference t1d_reference = {
    "vpatient_params.csv", tw_t1d_vpatient_csv, &tw_t1d_vpatient_csv_lines,
    "adolescent#001..#010, adult#001..#010, child#001..#010",
};

/* simglucose's model zeroes a state's derivative while the state is negative
** (t1d_body.h). Once an integration step overshoots plasma glucose below 0,
** the glucose compartments are frozen there for good, meals or not: an
** absorbing state of the equations, not physiology (docs/physiology.md). A
** twin that gets there is flagged and stopped rather than counted at 0 mg/dL. */
static const tw_pack_floor t1d_floors[] = {
    {"gp", 0.0, "plasma glucose fell to 0 mg/dL, where the model's equations stop (simglucose's absorbing state)"},
};

const tw_pack tw_pack_t1d = {
    .name = "t1d",
    .summary = "UVA/Padova 2008 type 1 diabetes model (simglucose T1DPatient semantics)",
    .n_states = TW_T1D_NSTATES, .states = t1d_states,
    .n_disc = TW_T1D_NDISC, .disc = t1d_disc,
    .n_params = TW_T1D_NPARAMS, .params = t1d_params,
    .n_inputs = TW_T1D_NINPUTS, .inputs = t1d_inputs,
    .n_obs = TW_T1D_NOBS, .obs = t1d_obs,
    .n_nodes = N_NODES, .nodes = t1d_nodes,
    .n_edges = (int)TW_ARRAY_LEN(t1d_edges), .edges = t1d_edges,
    .init_f64 = t1d_init_f64,
    .minute_f64 = t1d_minute_f64, .rhs_f64 = t1d_rhs_f64, .observe_f64 = t1d_observe_f64,
    .minute_f32 = t1d_minute_f32, .rhs_f32 = t1d_rhs_f32, .observe_f32 = t1d_observe_f32,
    .advance = t1d_advance,
    .n_events = (int)TW_ARRAY_LEN(t1d_events), .events = t1d_events,
    .basal = t1d_basal,
    .reference = &t1d_reference,
    .body_weight_param = "BW",
    .cgm_obs = "bg",
    .n_floors = (int)TW_ARRAY_LEN(t1d_floors), .floors = t1d_floors,
};
