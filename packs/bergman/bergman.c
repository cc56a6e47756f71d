/*
** bergman.c: the Bergman minimal model of glucose and insulin, with insulin
** kinetics, as a twinscale pack built outside twinscale (a shared library that
** `pack: ./libtwpack_bergman.so` loads; docs/packs.md is its walk-through).
** It compiles against include/twinscale/pack.h alone and needs no symbol of
** the twinscale executable: tables, and its own math.
**
** The model (t in min since the glucose bolus; G mg/dL, X 1/min, I uU/mL):
**
**   dG/dt = -(p1 + X) G + p1 Gb                         glucose
**   dX/dt = -p2 X + p3 (I - Ib)                         remote insulin action
**   dI/dt = gamma (G - h)^+ t - n (I - Ib) + u_ins(t)   plasma insulin
**
** The glucose equations are the minimal model of Bergman, Ider, Bowden & Cobelli
** (1979), Am J Physiol 236:E667-E677; the insulin equation, second-phase
** secretion proportional to the hyperglycaemia above the threshold h and to the
** time since the glucose stimulus, is that of Toffolo, Bergman, Finegood, Bowden
** & Cobelli (1980), Diabetes 29:979-990, and Bergman, Phillips & Cobelli (1981),
** J Clin Invest 68:1456-1467, written with clearance towards basal, -n (I - Ib),
** as De Gaetano & Arino (2000), J Math Biol 40:136-168, eqs. (1)-(3), state it.
** u_ins is exogenous insulin (the insulin-modified FSIGT), already divided by the
** insulin distribution volume.
**
** Twinscale has no notion of "time since the bolus", so the pack carries it as a
** fourth state, tau, with dtau/dt = 1, set to 0 when a glucose bolus is given.
** A twin starts at basal: G = Gb, X = 0, I = Ib, tau = 0.
**
** Inputs, per minute: glucose (mg/dL), an IV bolus added to G at the start of the
** minute (dose / glucose distribution volume; 0.3 g/kg into ~1.6 dL/kg is ~190
** mg/dL); insulin (uU/mL/min), an infusion rate held over the minute.
**
** Typical values (normal subject of Pacini & Bergman 1986, Comput Methods
** Programs Biomed 23:113-122, as MINMOD fits it): p1 = SG ~0.03/min, p2 ~0.02/min,
** p3 ~1e-5/min^2 per uU/mL (SI = p3/p2 ~5e-4 mL/uU/min), Gb ~90 mg/dL, Ib ~7
** uU/mL, n ~0.14-0.3/min, gamma ~0.003-0.005 uU/mL per mg/dL per min^2, h ~ Gb.
*/
#include "twinscale/pack.h"

enum { S_G, S_X, S_I, S_TAU, N_STATES };
enum { P_P1, P_P2, P_P3, P_GB, P_IB, P_N, P_GAMMA, P_H, N_PARAMS };
enum { U_GLUCOSE, U_INSULIN, N_INPUTS };
enum { O_G, O_I, O_X, N_OBS };
enum { N_PLASMA, N_REMOTE, N_NODES };

static const char *const nodes[N_NODES] = {"plasma", "remote_insulin"};

static const tw_pack_edge edges[] = {{N_PLASMA, N_REMOTE, 1.0, -1}};

static const tw_pack_var states[N_STATES] = {
    {"G", "mg/dL", N_PLASMA, "plasma glucose"},
    {"X", "1/min", N_REMOTE, "insulin action in the remote compartment"},
    {"I", "uU/mL", N_PLASMA, "plasma insulin"},
    {"tau", "min", -1, "time since the last glucose bolus (the t of the secretion term)"},
};

/* Ranges: wide enough for any published fit, narrow enough to catch a unit slip. */
static const tw_pack_param params[N_PARAMS] = {
    {"p1", "1/min", 0, 1, "glucose effectiveness SG"},
    {"p2", "1/min", 1e-5, 1, "decay rate of remote insulin action"},
    {"p3", "1/min^2 per uU/mL", 0, 1e-2, "gain of remote insulin action (SI = p3/p2)"},
    {"Gb", "mg/dL", 20, 500, "basal plasma glucose"},
    {"Ib", "uU/mL", 0, 300, "basal plasma insulin"},
    {"n", "1/min", 1e-4, 5, "insulin clearance rate"},
    {"gamma", "uU/mL per mg/dL per min^2", 0, 1, "second-phase secretion gain"},
    {"h", "mg/dL", 0, 500, "glucose threshold of second-phase secretion"},
};

static const tw_pack_input inputs[N_INPUTS] = {
    {"glucose", "mg/dL", "IV glucose bolus at the start of this minute (dose / distribution volume)"},
    {"insulin", "uU/mL/min", "exogenous insulin appearance rate held over this minute"},
};

static const tw_pack_obs obs[N_OBS] = {
    {"G", "mg/dL", N_PLASMA, "plasma glucose", 1},
    {"I", "uU/mL", N_PLASMA, "plasma insulin", 1},
    {"X", "1/min", N_REMOTE, "remote insulin action", 0},
};

/* The math once, for float and double. */
#define BERGMAN_FUNCTIONS(real, suf)                                                           \
  static void minute_##suf(int64_t minute, real *x, const real *p, const real *u, real *d) {  \
    (void)minute;                                                                              \
    (void)p;                                                                                   \
    (void)d;                                                                                   \
    if (u[U_GLUCOSE] != (real)0) {                                                             \
      x[S_G] += u[U_GLUCOSE];                                                                  \
      x[S_TAU] = (real)0;                                                                      \
    }                                                                                          \
  }                                                                                            \
  static void rhs_##suf(const real *x, const real *p, const real *u, const real *d, real *dx) { \
    (void)d;                                                                                   \
    const real above = x[S_G] > p[P_H] ? x[S_G] - p[P_H] : (real)0;                            \
    dx[S_G] = -(p[P_P1] + x[S_X]) * x[S_G] + p[P_P1] * p[P_GB];                                \
    dx[S_X] = -p[P_P2] * x[S_X] + p[P_P3] * (x[S_I] - p[P_IB]);                                \
    dx[S_I] = p[P_GAMMA] * above * x[S_TAU] - p[P_N] * (x[S_I] - p[P_IB]) + u[U_INSULIN];      \
    dx[S_TAU] = (real)1;                                                                       \
  }                                                                                            \
  static void observe_##suf(const real *x, const real *p, const real *d, real *o) {            \
    (void)p;                                                                                   \
    (void)d;                                                                                   \
    o[O_G] = x[S_G];                                                                           \
    o[O_I] = x[S_I];                                                                           \
    o[O_X] = x[S_X];                                                                           \
  }
BERGMAN_FUNCTIONS(double, f64)
BERGMAN_FUNCTIONS(float, f32)

/* A twin starts at its basal steady state. */
static void init_f64(const double *p, double *x, double *d) {
  (void)d;
  x[S_G] = p[P_GB];
  x[S_X] = 0.0;
  x[S_I] = p[P_IB];
  x[S_TAU] = 0.0;
}

static const tw_pack bergman = {
    .name = "bergman",
    .summary = "Bergman minimal model of glucose and insulin with insulin kinetics (IVGTT)",
    .n_states = N_STATES, .states = states,
    .n_params = N_PARAMS, .params = params,
    .n_inputs = N_INPUTS, .inputs = inputs,
    .n_obs = N_OBS, .obs = obs,
    .n_nodes = N_NODES, .nodes = nodes,
    .n_edges = 1, .edges = edges,
    .init_f64 = init_f64,
    .minute_f64 = minute_f64, .rhs_f64 = rhs_f64, .observe_f64 = observe_f64,
    .minute_f32 = minute_f32, .rhs_f32 = rhs_f32, .observe_f32 = observe_f32,
    .cgm_obs = "G", /* a CGM can read its plasma glucose */
};

TW_PACK_DEFINE_ENTRY(bergman)
