/*
** t1d_body.h: the t1d model's per-twin functions for one real type. Included
** twice by t1d.h (float and double) with TW_T1D_REAL, TW_T1D_SUF and TW_T1D_TANH
** defined; no include guard on purpose.
*/

/* What the right-hand side reads, frozen over one minute: the parameters it
** uses, the inputs converted to model units, and Dbar. */
typedef struct TW_T1D_SUF(tw_t1d_ctx) {
  TW_T1D_REAL kabs, kmax, kmin, b, d, BW, Vi, Vmx, Km0, k2, k1, p2u, m1, m2, m4, m30, ki;
  TW_T1D_REAL kp1, kp2, kp3, f, ke1, ke2, Fsnc, Vm0, kd, ksc, ka1, ka2, Ib;
  TW_T1D_REAL cho_mg;       /* mg/min eaten this minute */
  TW_T1D_REAL insulin_pmol; /* pmol/kg/min: insulin U/min * 6000 / BW */
  TW_T1D_REAL dbar;         /* mg */
} TW_T1D_SUF(tw_t1d_ctx);

/* Loads parameter k of a twin: p is (n_params) with stride `ps` between them
** (1 for a contiguous vector, ld for SoA arrays). */
#define TW_T1D_P(k) p[(int64_t)(k) * ps]

TW_HD void TW_T1D_SUF(tw_t1d_ctx_load)(TW_T1D_SUF(tw_t1d_ctx) *c, const TW_T1D_REAL *p,
                                        int64_t ps) {
  c->kabs = TW_T1D_P(TW_T1D_P_kabs); c->kmax = TW_T1D_P(TW_T1D_P_kmax);
  c->kmin = TW_T1D_P(TW_T1D_P_kmin); c->b = TW_T1D_P(TW_T1D_P_b); c->d = TW_T1D_P(TW_T1D_P_d);
  c->BW = TW_T1D_P(TW_T1D_P_BW); c->Vi = TW_T1D_P(TW_T1D_P_Vi); c->Vmx = TW_T1D_P(TW_T1D_P_Vmx);
  c->Km0 = TW_T1D_P(TW_T1D_P_Km0); c->k2 = TW_T1D_P(TW_T1D_P_k2); c->k1 = TW_T1D_P(TW_T1D_P_k1);
  c->p2u = TW_T1D_P(TW_T1D_P_p2u); c->m1 = TW_T1D_P(TW_T1D_P_m1); c->m2 = TW_T1D_P(TW_T1D_P_m2);
  c->m4 = TW_T1D_P(TW_T1D_P_m4); c->m30 = TW_T1D_P(TW_T1D_P_m30); c->ki = TW_T1D_P(TW_T1D_P_ki);
  c->kp1 = TW_T1D_P(TW_T1D_P_kp1); c->kp2 = TW_T1D_P(TW_T1D_P_kp2);
  c->kp3 = TW_T1D_P(TW_T1D_P_kp3); c->f = TW_T1D_P(TW_T1D_P_f); c->ke1 = TW_T1D_P(TW_T1D_P_ke1);
  c->ke2 = TW_T1D_P(TW_T1D_P_ke2); c->Fsnc = TW_T1D_P(TW_T1D_P_Fsnc);
  c->Vm0 = TW_T1D_P(TW_T1D_P_Vm0); c->kd = TW_T1D_P(TW_T1D_P_kd); c->ksc = TW_T1D_P(TW_T1D_P_ksc);
  c->ka1 = TW_T1D_P(TW_T1D_P_ka1); c->ka2 = TW_T1D_P(TW_T1D_P_ka2); c->Ib = TW_T1D_P(TW_T1D_P_Ib);
  c->cho_mg = 0; c->insulin_pmol = 0; c->dbar = 0;
}
#undef TW_T1D_P

/* The minute update of T1DPatient.step, before integrating [t, t+1):
** _announce_meal, start/end-of-meal detection, _last_Qsto and _last_foodtaken.
** qsto is x[0] + x[1] at the start of the minute; dv is (TW_T1D_NDISC) with
** stride ds. Written with selects rather than branches so that it vectorises. */
TW_HD void TW_T1D_SUF(tw_t1d_minute)(TW_T1D_REAL qsto, TW_T1D_REAL cho_announced,
                                      TW_T1D_REAL *dv, int64_t ds) {
  typedef TW_T1D_REAL real;
  real planned = dv[TW_T1D_D_PLANNED * ds] + cho_announced;
  real to_eat = planned > (real)0 ? (planned < (real)TW_T1D_EAT_RATE ? planned : (real)TW_T1D_EAT_RATE)
                                  : (real)0;
  planned = planned - to_eat;
  planned = planned > (real)0 ? planned : (real)0;
  const real last_cho = dv[TW_T1D_D_LAST_CHO * ds];
  /* Conditions are kept as 0/1 reals: mixing int masks with float selects
  ** defeats GCC's vectoriser on SSE/AVX. */
  const real one = (real)1, zero = (real)0;
  const real eats = to_eat > zero ? one : zero, ate = last_cho > zero ? one : zero;
  const real starts = eats * (one - ate);  /* 1: a meal starts this minute */
  const real stops = (one - eats) * ate;   /* 1: the meal ended last minute */
  const real last_qsto = starts > zero ? qsto : dv[TW_T1D_D_LAST_QSTO * ds];
  const real taken0 = starts > zero ? zero : dv[TW_T1D_D_FOODTAKEN * ds];
  const real eating0 = starts > zero ? one : dv[TW_T1D_D_EATING * ds];
  const real taken_more = taken0 + to_eat;
  const real taken = eating0 > zero ? taken_more : taken0;
  const real eating = stops > zero ? zero : eating0;
  dv[TW_T1D_D_PLANNED * ds] = planned;
  dv[TW_T1D_D_CHO * ds] = to_eat;
  dv[TW_T1D_D_LAST_CHO * ds] = to_eat;
  dv[TW_T1D_D_LAST_QSTO * ds] = last_qsto;
  dv[TW_T1D_D_FOODTAKEN * ds] = taken;
  dv[TW_T1D_D_EATING * ds] = eating;
  dv[TW_T1D_D_DBAR * ds] = last_qsto + taken * (real)1000;
}

/* Sets the ctx's inputs for a minute (after tw_t1d_minute). */
TW_HD void TW_T1D_SUF(tw_t1d_ctx_inputs)(TW_T1D_SUF(tw_t1d_ctx) *c, TW_T1D_REAL cho_g_per_min,
                                          TW_T1D_REAL insulin_u_per_min, TW_T1D_REAL dbar) {
  c->cho_mg = cho_g_per_min * (TW_T1D_REAL)1000;
  c->insulin_pmol = insulin_u_per_min * (TW_T1D_REAL)6000 / c->BW;
  c->dbar = dbar;
}

/* dx/dt of T1DPatient.model (per minute). x and dx are (13). */
TW_HD void TW_T1D_SUF(tw_t1d_rhs)(const TW_T1D_SUF(tw_t1d_ctx) *c, const TW_T1D_REAL *x,
                                   TW_T1D_REAL *dx) {
  typedef TW_T1D_REAL real;
  const real zero = (real)0;
  const real qsto = x[0] + x[1];
  const real Dbar = c->dbar;
  /* gastric emptying: with no meal yet (Dbar = 0) kgut = kmax; the division is
  ** guarded so that the unused branch stays finite */
  const real Dsafe = Dbar > zero ? Dbar : (real)1;
  const real aa = (real)5 / ((real)2 * Dsafe * ((real)1 - c->b));
  const real cc = (real)5 / ((real)2 * Dsafe * c->d);
  const real kgut_meal = c->kmin + (c->kmax - c->kmin) / (real)2 *
                                       (TW_T1D_TANH(aa * (qsto - c->b * Dsafe)) -
                                        TW_T1D_TANH(cc * (qsto - c->d * Dsafe)) + (real)2);
  const real kgut = Dbar > zero ? kgut_meal : c->kmax;

  dx[0] = -c->kmax * x[0] + c->cho_mg;
  dx[1] = c->kmax * x[0] - x[1] * kgut;
  dx[2] = kgut * x[1] - c->kabs * x[2];

  const real Rat = c->f * c->kabs * x[2] / c->BW;
  const real EGPt = c->kp1 - c->kp2 * x[3] - c->kp3 * x[8];
  const real Uiit = c->Fsnc;
  const real Et_above = c->ke1 * (x[3] - c->ke2);
  const real Et = x[3] > c->ke2 ? Et_above : zero;
  const real d3 = (EGPt > zero ? EGPt : zero) + Rat - Uiit - Et - c->k1 * x[3] + c->k2 * x[4];
  dx[3] = x[3] >= zero ? d3 : zero;

  const real Vmt = c->Vm0 + c->Vmx * x[6];
  const real Uidt = Vmt * x[4] / (c->Km0 + x[4]);
  const real d4 = -Uidt + c->k1 * x[3] - c->k2 * x[4];
  dx[4] = x[4] >= zero ? d4 : zero;

  const real d5 = -(c->m2 + c->m4) * x[5] + c->m1 * x[9] + c->ka1 * x[10] + c->ka2 * x[11];
  const real It = x[5] / c->Vi;
  dx[5] = x[5] >= zero ? d5 : zero;

  dx[6] = -c->p2u * x[6] + c->p2u * (It - c->Ib);
  dx[7] = -c->ki * (x[7] - It);
  dx[8] = -c->ki * (x[8] - x[7]);

  const real d9 = -(c->m1 + c->m30) * x[9] + c->m2 * x[5];
  dx[9] = x[9] >= zero ? d9 : zero;
  const real d10 = c->insulin_pmol - (c->ka1 + c->kd) * x[10];
  dx[10] = x[10] >= zero ? d10 : zero;
  const real d11 = c->kd * x[10] - c->ka2 * x[11];
  dx[11] = x[11] >= zero ? d11 : zero;
  const real d12 = -c->ksc * x[12] + c->ksc * x[3];
  dx[12] = x[12] >= zero ? d12 : zero;
}

/* Observables: bg = gsub / Vg (simglucose's BG, mg/dL), plasma glucose gp / Vg
** (mg/dL), plasma insulin ip / Vi (pmol/L), insulin on board (U) as the insulin
** still in the two subcutaneous depots, (isc1 + isc2) BW / 6000. */
TW_HD void TW_T1D_SUF(tw_t1d_observe)(const TW_T1D_REAL *x, TW_T1D_REAL Vg, TW_T1D_REAL Vi,
                                       TW_T1D_REAL BW, TW_T1D_REAL *obs, int64_t os) {
  obs[TW_T1D_O_BG * os] = x[12] / Vg;
  obs[TW_T1D_O_GP * os] = x[3] / Vg;
  obs[TW_T1D_O_IP * os] = x[5] / Vi;
  obs[TW_T1D_O_IOB * os] = (x[10] + x[11]) * BW / (TW_T1D_REAL)6000;
}

#undef TW_T1D_REAL
#undef TW_T1D_SUF
#undef TW_T1D_TANH
