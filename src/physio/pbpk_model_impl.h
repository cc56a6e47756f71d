/*
** pbpk_model_impl.h: the PBPK right-hand side, minute update and observables,
** written once for a real type. pbpk_model.h includes it twice, with
** TW_PBPK_REAL = double / float and TW_PBPK_FN(name) = tw_pbpk_name_f64 / _f32;
** include pbpk_model.h, never this file. (No include guard on purpose.)
**
** The parameters are turned once per twin (and minute) into the rate constants
** the right-hand side needs, held in a context, as the integrators expect
** (integrate.h: RHS(const CTX *c, const REAL *x, REAL *dx)).
**
** Shapes: p is (TW_PBPK_N_PARAMS) with stride ps, u (TW_PBPK_N_INPUTS) stride us,
** x and dx (TW_PBPK_N_STATES) contiguous in the RHS, stride xs elsewhere.
*/

typedef struct TW_PBPK_FN(ctx) {
  TW_PBPK_REAL q[TW_PBPK_N_FLOWS];      /* organ blood flows, L/min */
  TW_PBPK_REAL q_liver;                 /* liver outflow: hepatic artery + gut + spleen */
  TW_PBPK_REAL q_total;                 /* through lung and arterial blood: all organ flows */
  TW_PBPK_REAL out[TW_PBPK_N_TISSUES];  /* BP / (V_T Kp_T): blood concentration leaving T per mg in T */
  TW_PBPK_REAL inv_v_art, inv_v_ven;    /* 1/L */
  TW_PBPK_REAL k_hepatic;               /* CLint fu / (V_liver Kp_liver), 1/min on the liver amount */
  TW_PBPK_REAL k_renal;                 /* CLr / (BP V_art), 1/min on the arterial amount */
  TW_PBPK_REAL ka, f_oral;
  TW_PBPK_REAL infusion;                /* mg/min into venous blood this minute */
} TW_PBPK_FN(ctx);

/* Rate constants of one twin from its parameters. */
TW_HD void TW_PBPK_FN(ctx_load)(TW_PBPK_FN(ctx) *c, const TW_PBPK_REAL *TW_RESTRICT p, int64_t ps) {
  typedef TW_PBPK_REAL real;
  const real co = p[TW_PBPK_P_CO * ps], bp = p[TW_PBPK_P_BP * ps];
  real q_total = 0;
  for (int f = 0; f < TW_PBPK_N_FLOWS; f++) {
    c->q[f] = co * p[(TW_PBPK_P_F + f) * ps];
    q_total += c->q[f];
  }
  c->q_liver = c->q[TW_PBPK_F_HEPATIC_ARTERY] + c->q[TW_PBPK_F_GUT] + c->q[TW_PBPK_F_SPLEEN];
  /* Every organ flow ends in venous blood (gut and spleen through the liver), so
  ** the lung carries their sum: mass is conserved whatever the fractions. */
  c->q_total = q_total;
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++)
    c->out[t] = bp / (p[(TW_PBPK_P_V + t) * ps] * p[(TW_PBPK_P_KP + t) * ps]);
  c->inv_v_art = (real)1 / p[(TW_PBPK_P_V + TW_PBPK_ARTERIAL) * ps];
  c->inv_v_ven = (real)1 / p[(TW_PBPK_P_V + TW_PBPK_VENOUS) * ps];
  c->k_hepatic = p[TW_PBPK_P_CLINT * ps] * p[TW_PBPK_P_FU * ps] /
                 (p[(TW_PBPK_P_V + TW_PBPK_LIVER) * ps] * p[(TW_PBPK_P_KP + TW_PBPK_LIVER) * ps]);
  c->k_renal = p[TW_PBPK_P_CLR * ps] / (bp * p[(TW_PBPK_P_V + TW_PBPK_ARTERIAL) * ps]);
  c->ka = p[TW_PBPK_P_KA * ps];
  c->f_oral = p[TW_PBPK_P_FORAL * ps];
  c->infusion = 0;
}

/* The inputs held over the minute (the infusion rate). */
TW_HD void TW_PBPK_FN(ctx_inputs)(TW_PBPK_FN(ctx) *c, const TW_PBPK_REAL *TW_RESTRICT u, int64_t us) {
  c->infusion = u[TW_PBPK_U_INFUSION * us];
}

/* dx/dt of one twin. Each flow term appears once as an outflow and once as an
** inflow, so the derivatives sum to the infusion rate exactly (in exact arithmetic). */
TW_HD void TW_PBPK_FN(rhs)(const TW_PBPK_FN(ctx) *TW_RESTRICT c, const TW_PBPK_REAL *TW_RESTRICT x,
                           TW_PBPK_REAL *TW_RESTRICT dx) {
  typedef TW_PBPK_REAL real;
  const real c_art = x[TW_PBPK_ARTERIAL] * c->inv_v_art;
  const real c_ven = x[TW_PBPK_VENOUS] * c->inv_v_ven;
  real cv[TW_PBPK_N_TISSUES]; /* blood concentration leaving each tissue, mg/L */
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++) cv[t] = x[t] * c->out[t];

  /* Organs fed by arterial blood and drained into venous blood. */
  const int organ[8] = {TW_PBPK_HEART, TW_PBPK_BRAIN, TW_PBPK_MUSCLE, TW_PBPK_ADIPOSE,
                        TW_PBPK_SKIN,  TW_PBPK_BONE,  TW_PBPK_KIDNEY, TW_PBPK_REST};
  const int flow[8] = {TW_PBPK_F_HEART, TW_PBPK_F_BRAIN, TW_PBPK_F_MUSCLE, TW_PBPK_F_ADIPOSE,
                       TW_PBPK_F_SKIN,  TW_PBPK_F_BONE,  TW_PBPK_F_KIDNEY, TW_PBPK_F_REST};
  real venous_return = c->q_liver * cv[TW_PBPK_LIVER];
  for (int k = 0; k < 8; k++) {
    dx[organ[k]] = c->q[flow[k]] * (c_art - cv[organ[k]]);
    venous_return += c->q[flow[k]] * cv[organ[k]];
  }

  /* Elimination and absorption, mg/min. */
  const real lumen = x[TW_PBPK_X_LUMEN];
  const real hepatic = c->k_hepatic * x[TW_PBPK_LIVER];
  const real renal = c->k_renal * x[TW_PBPK_ARTERIAL];
  const real emptied = c->ka * lumen;
  const real absorbed = c->f_oral * emptied;

  const real q_gut = c->q[TW_PBPK_F_GUT], q_spleen = c->q[TW_PBPK_F_SPLEEN];
  dx[TW_PBPK_KIDNEY] -= renal;
  dx[TW_PBPK_GUT] = q_gut * (c_art - cv[TW_PBPK_GUT]) + absorbed;
  dx[TW_PBPK_SPLEEN] = q_spleen * (c_art - cv[TW_PBPK_SPLEEN]);
  dx[TW_PBPK_LIVER] = c->q[TW_PBPK_F_HEPATIC_ARTERY] * c_art + q_gut * cv[TW_PBPK_GUT] +
                      q_spleen * cv[TW_PBPK_SPLEEN] - c->q_liver * cv[TW_PBPK_LIVER] - hepatic;
  dx[TW_PBPK_LUNG] = c->q_total * (c_ven - cv[TW_PBPK_LUNG]);
  dx[TW_PBPK_ARTERIAL] = c->q_total * (cv[TW_PBPK_LUNG] - c_art);
  dx[TW_PBPK_VENOUS] = venous_return - c->q_total * c_ven + c->infusion;
  dx[TW_PBPK_X_LUMEN] = -emptied;
  dx[TW_PBPK_X_ELIM_HEPATIC] = hepatic;
  dx[TW_PBPK_X_ELIM_RENAL] = renal;
  dx[TW_PBPK_X_UNABSORBED] = emptied - absorbed;
}

/* Start of a minute: bolus doses arrive (IV into venous blood, oral into the lumen). */
TW_HD void TW_PBPK_FN(minute)(TW_PBPK_REAL *TW_RESTRICT x, int64_t xs,
                              const TW_PBPK_REAL *TW_RESTRICT u, int64_t us) {
  x[TW_PBPK_VENOUS * xs] += u[TW_PBPK_U_IV_BOLUS * us];
  x[TW_PBPK_X_LUMEN * xs] += u[TW_PBPK_U_ORAL * us];
}

/* Observables (TW_PBPK_N_OBS values, stride os). */
TW_HD void TW_PBPK_FN(observe)(const TW_PBPK_REAL *TW_RESTRICT x, int64_t xs,
                               const TW_PBPK_REAL *TW_RESTRICT p, int64_t ps,
                               TW_PBPK_REAL *TW_RESTRICT obs, int64_t os) {
  TW_PBPK_REAL body = 0;
  for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++) {
    obs[o * os] = x[o * xs] / p[(TW_PBPK_P_V + o) * ps];
    body += x[o * xs];
  }
  obs[TW_PBPK_O_PLASMA * os] = obs[TW_PBPK_VENOUS * os] / p[TW_PBPK_P_BP * ps];
  obs[TW_PBPK_O_BODY * os] = body;
  obs[TW_PBPK_O_LUMEN * os] = x[TW_PBPK_X_LUMEN * xs];
  obs[TW_PBPK_O_ELIM_HEPATIC * os] = x[TW_PBPK_X_ELIM_HEPATIC * xs];
  obs[TW_PBPK_O_ELIM_RENAL * os] = x[TW_PBPK_X_ELIM_RENAL * xs];
  obs[TW_PBPK_O_UNABSORBED * os] = x[TW_PBPK_X_UNABSORBED * xs];
}

/* The RK4 path integrates the minute's increment d = x - x0 (x0: the state after
** the minute's doses) and adds it to x0 once at the end of the minute. Rounding
** then acts on the small increment at every step and on the full state only once
** a minute, so float32 round-off grows with minutes, not with steps: the PBPK
** system is stiff enough (lung, arterial blood) to need ~32 steps a minute, and
** plain accumulation x += h k loses 1.5e-4 relative over a day in float32 where
** this form keeps 1.2e-5 (docs/pbpk.md, "Numerics"). */
typedef struct TW_PBPK_FN(incr_ctx) {
  TW_PBPK_FN(ctx) m;
  TW_PBPK_REAL x0[TW_PBPK_N_STATES];
} TW_PBPK_FN(incr_ctx);

TW_HD void TW_PBPK_FN(rhs_incr)(const TW_PBPK_FN(incr_ctx) *TW_RESTRICT c,
                                const TW_PBPK_REAL *TW_RESTRICT d, TW_PBPK_REAL *TW_RESTRICT dx) {
  TW_PBPK_REAL x[TW_PBPK_N_STATES];
  for (int s = 0; s < TW_PBPK_N_STATES; s++) x[s] = c->x0[s] + d[s];
  TW_PBPK_FN(rhs)(&c->m, x, dx);
}
