/*
** pbpk_advance.h: the pbpk pack's entry points for one real type: the per-twin
** functions the engine calls for composed models (contiguous vectors) and the
** batched CPU path. Included twice by pbpk_pack.c with TW_PBPK_ADV_REAL and
** TW_PBPK_ADV_SUF defined (no include guard on purpose).
**
** Batched path: twin i's 18 states are gathered from the SoA arrays (x[s * ld + i]) into a
** local vector, advanced through all the minutes asked for with the RHS inlined
** into the integrator, and stored back; a twin whose integration fails keeps its
** last good state and is flagged, the others go on.
*/

/* ---- per-twin (pack.h signatures; pbpk has no discrete variables) ---- */

static void TW_PBPK_ADV_SUF(pbpk_minute)(int64_t minute, TW_PBPK_ADV_REAL *x, const TW_PBPK_ADV_REAL *p,
                                         const TW_PBPK_ADV_REAL *u, TW_PBPK_ADV_REAL *d) {
  (void)minute; /* doses are inputs: the clock does not matter */
  (void)p;
  (void)d;
  TW_PBPK_ADV_SUF(tw_pbpk_minute)(x, 1, u, 1);
}

static void TW_PBPK_ADV_SUF(pbpk_rhs)(const TW_PBPK_ADV_REAL *x, const TW_PBPK_ADV_REAL *p,
                                      const TW_PBPK_ADV_REAL *u, const TW_PBPK_ADV_REAL *d,
                                      TW_PBPK_ADV_REAL *dx) {
  (void)d;
  TW_PBPK_ADV_SUF(tw_pbpk_ctx) c;
  TW_PBPK_ADV_SUF(tw_pbpk_ctx_load)(&c, p, 1);
  TW_PBPK_ADV_SUF(tw_pbpk_ctx_inputs)(&c, u, 1);
  TW_PBPK_ADV_SUF(tw_pbpk_rhs)(&c, x, dx);
}

static void TW_PBPK_ADV_SUF(pbpk_observe)(const TW_PBPK_ADV_REAL *x, const TW_PBPK_ADV_REAL *p,
                                          const TW_PBPK_ADV_REAL *d, TW_PBPK_ADV_REAL *obs) {
  (void)d;
  TW_PBPK_ADV_SUF(tw_pbpk_observe)(x, 1, p, 1, obs, 1);
}

/* ---- batched ---- */

/* Twins [i0, i1) of the batch through n_minutes. */
static void TW_PBPK_ADV_SUF(pbpk_advance_range)(tw_physio_batch *b, int n_minutes, int64_t i0,
                                                int64_t i1) {
  typedef TW_PBPK_ADV_REAL real;
  const int64_t ld = b->ld;
  real *X = (real *)b->x;
  const real *P = (const real *)b->p;
  const real *U = (const real *)b->u;
  real *H = (real *)b->h;
  const int rk4 = b->opts.kind == TW_INTEG_RK4;
  for (int64_t i = i0; i < i1; ++i) {
    if (b->flag[i] != TW_TWIN_OK) continue;
    real x[TW_PBPK_N_STATES];
    for (int s = 0; s < TW_PBPK_N_STATES; ++s) x[s] = X[s * ld + i];
    TW_PBPK_ADV_SUF(tw_pbpk_incr_ctx) ci; /* ci.m: the rate constants, ci.x0: see rhs_incr */
    TW_PBPK_ADV_SUF(tw_pbpk_ctx_load)(&ci.m, P + i, ld);
    real h = H ? H[i] : (real)1;
    int fl = TW_TWIN_OK;
    for (int m = 0; m < n_minutes && fl == TW_TWIN_OK; ++m) {
      const real *um = U + (int64_t)m * TW_PBPK_N_INPUTS * ld + i;
      TW_PBPK_ADV_SUF(tw_pbpk_minute)(x, 1, um, ld);
      TW_PBPK_ADV_SUF(tw_pbpk_ctx_inputs)(&ci.m, um, ld);
      if (rk4) {
        real d[TW_PBPK_N_STATES];
        for (int s = 0; s < TW_PBPK_N_STATES; ++s) {
          ci.x0[s] = x[s];
          d[s] = 0;
        }
        TW_PBPK_ADV_SUF(pbpk_rk4)(TW_PBPK_N_STATES, d, &ci, (real)1 / (real)b->opts.substeps,
                                  b->opts.substeps);
        for (int s = 0; s < TW_PBPK_N_STATES; ++s) x[s] = ci.x0[s] + d[s];
      } else {
        if (!H) h = (real)1;
        fl = TW_PBPK_ADV_SUF(pbpk_dopri5)(TW_PBPK_N_STATES, x, &ci.m, &b->opts, &h);
      }
      for (int s = 0; s < TW_PBPK_N_STATES && fl == TW_TWIN_OK; ++s)
        if (!(x[s] - x[s] == (real)0)) fl = TW_TWIN_NONFINITE; /* NaN or infinite */
    }
    if (fl != TW_TWIN_OK) {
      b->flag[i] = fl;
      continue;
    }
    for (int s = 0; s < TW_PBPK_N_STATES; ++s) X[s * ld + i] = x[s];
    if (H) H[i] = h;
  }
}

#undef TW_PBPK_ADV_REAL
#undef TW_PBPK_ADV_SUF
