/*
** t1d_advance.h: the t1d pack's batched CPU path for one real type, included
** twice by t1d.c with TW_T1D_REAL and TW_T1D_SUF defined (no include guard).
**
** Twin i's state is loaded from the SoA arrays into a local vector, advanced
** through all requested minutes, and stored back, so the 13 states stay in
** registers across minutes and the loop over i is what the compiler vectorises.
*/

/* RK4 over twins [i0, i1) of the batch. */
TW_SIMD_CLONES static void TW_T1D_SUF(t1d_rk4_range)(tw_physio_batch *b, int n_minutes, int64_t i0,
                                       int64_t i1) {
  typedef TW_T1D_REAL real;
  const int64_t ld = b->ld;
  real *TW_RESTRICT X = (real *)b->x;
  real *TW_RESTRICT D = (real *)b->d;
  const real *TW_RESTRICT P = (const real *)b->p;
  const real *TW_RESTRICT U = (const real *)b->u;
  int32_t *TW_RESTRICT flag = b->flag;
  const int substeps = b->opts.substeps;
  for (int64_t i = i0; i < i1; ++i) {
    real x[TW_T1D_NSTATES], dv[TW_T1D_NDISC];
    for (int s = 0; s < TW_T1D_NSTATES; ++s) x[s] = X[s * ld + i];
    for (int k = 0; k < TW_T1D_NDISC; ++k) dv[k] = D[k * ld + i];
    TW_T1D_SUF(tw_t1d_ctx) c;
    TW_T1D_SUF(tw_t1d_ctx_load)(&c, P + i, ld);
    for (int m = 0; m < n_minutes; ++m) {
      const real *um = U + (int64_t)m * TW_T1D_NINPUTS * ld + i;
      TW_T1D_SUF(tw_t1d_minute)(x[0] + x[1], um[TW_T1D_U_CHO * ld], dv, 1);
      TW_T1D_SUF(tw_t1d_ctx_inputs)(&c, dv[TW_T1D_D_CHO], um[TW_T1D_U_INSULIN * ld],
                                    dv[TW_T1D_D_DBAR]);
      TW_T1D_SUF(t1d_rk4)(TW_T1D_NSTATES, x, &c, substeps);
    }
    /* x - x is 0 for finite x, NaN for NaN and infinities */
    real probe = 0;
    for (int s = 0; s < TW_T1D_NSTATES; ++s) probe += x[s] - x[s];
    const int ok = flag[i] == TW_TWIN_OK && probe == (real)0;
    for (int s = 0; s < TW_T1D_NSTATES; ++s) X[s * ld + i] = ok ? x[s] : X[s * ld + i];
    for (int k = 0; k < TW_T1D_NDISC; ++k) D[k * ld + i] = ok ? dv[k] : D[k * ld + i];
    flag[i] = (flag[i] == TW_TWIN_OK && !ok) ? TW_TWIN_NONFINITE : flag[i];
  }
}

/* DOPRI5 over twins [i0, i1): a twin stops at the minute its integration fails. */
static void TW_T1D_SUF(t1d_dopri5_range)(tw_physio_batch *b, int n_minutes, int64_t i0,
                                          int64_t i1) {
  typedef TW_T1D_REAL real;
  const int64_t ld = b->ld;
  real *X = (real *)b->x;
  real *D = (real *)b->d;
  const real *P = (const real *)b->p;
  const real *U = (const real *)b->u;
  real *H = (real *)b->h;
  for (int64_t i = i0; i < i1; ++i) {
    if (b->flag[i] != TW_TWIN_OK) continue;
    real x[TW_T1D_NSTATES], dv[TW_T1D_NDISC];
    for (int s = 0; s < TW_T1D_NSTATES; ++s) x[s] = X[s * ld + i];
    for (int k = 0; k < TW_T1D_NDISC; ++k) dv[k] = D[k * ld + i];
    TW_T1D_SUF(tw_t1d_ctx) c;
    TW_T1D_SUF(tw_t1d_ctx_load)(&c, P + i, ld);
    real h = H ? H[i] : (real)1;
    int fl = TW_TWIN_OK;
    for (int m = 0; m < n_minutes && fl == TW_TWIN_OK; ++m) {
      const real *um = U + (int64_t)m * TW_T1D_NINPUTS * ld + i;
      TW_T1D_SUF(tw_t1d_minute)(x[0] + x[1], um[TW_T1D_U_CHO * ld], dv, 1);
      TW_T1D_SUF(tw_t1d_ctx_inputs)(&c, dv[TW_T1D_D_CHO], um[TW_T1D_U_INSULIN * ld],
                                    dv[TW_T1D_D_DBAR]);
      if (!H) h = (real)1;
      fl = TW_T1D_SUF(t1d_dopri5)(TW_T1D_NSTATES, x, &c, &b->opts, &h);
      for (int s = 0; s < TW_T1D_NSTATES && fl == TW_TWIN_OK; ++s)
        if (!(x[s] - x[s] == (real)0)) fl = TW_TWIN_NONFINITE;
    }
    if (fl != TW_TWIN_OK) {
      b->flag[i] = fl;
      continue;
    }
    for (int s = 0; s < TW_T1D_NSTATES; ++s) X[s * ld + i] = x[s];
    for (int k = 0; k < TW_T1D_NDISC; ++k) D[k * ld + i] = dv[k];
    if (H) H[i] = h;
  }
}

#undef TW_T1D_REAL
#undef TW_T1D_SUF
