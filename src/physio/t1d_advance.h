/*
** t1d_advance.h: the t1d pack's batched CPU path for one real type, included
** twice by t1d.c with TW_T1D_REAL and TW_T1D_SUF defined (no include guard).
**
** RK4 runs pass by pass over a block of twins (vectorised across twins);
** DOPRI5, whose step sequence differs per twin, runs twin by twin with the
** state in a local vector through all requested minutes.
*/

/* RK4 over twins [i0, i1) of the batch. The twin loop is innermost, so that
** each pass (the minute update, then each RK4 step) is one straight-line body
** over contiguous twins: the loops GCC vectorises. The block is small enough
** (T1D_BLOCK twins) for its states and parameters to stay in cache between
** passes. A twin flagged non-finite keeps being computed (its NaNs stay NaN):
** a mask here would cost the vectorisation; simulate.c reports its observables
** as NaN from the failure on. */
TW_SIMD_CLONES static void TW_T1D_SUF(t1d_rk4_range)(tw_physio_batch *b, int n_minutes, int64_t i0,
                                                      int64_t i1) {
  typedef TW_T1D_REAL real;
  const int64_t ld = b->ld;
  real *TW_RESTRICT X = (real *)b->x;
  real *TW_RESTRICT D = (real *)b->d;
  const real *TW_RESTRICT P = (const real *)b->p;
  const real *TW_RESTRICT U = (const real *)b->u;
  const int substeps = b->opts.substeps;
  const real h = (real)1 / (real)substeps;
  for (int m = 0; m < n_minutes; ++m) {
    const real *TW_RESTRICT um = U + (int64_t)m * TW_T1D_NINPUTS * ld;
    TW_IVDEP for (int64_t i = i0; i < i1; ++i) {
      real dv[TW_T1D_NDISC];
      TW_UNROLL for (int k = 0; k < TW_T1D_NDISC; ++k) dv[k] = D[k * ld + i];
      TW_T1D_SUF(tw_t1d_minute)(X[i] + X[ld + i], um[TW_T1D_U_CHO * ld + i], dv, 1);
      TW_UNROLL for (int k = 0; k < TW_T1D_NDISC; ++k) D[k * ld + i] = dv[k];
    }
    for (int s = 0; s < substeps; ++s) {
      TW_IVDEP for (int64_t i = i0; i < i1; ++i) {
        real x[TW_T1D_NSTATES];
        TW_UNROLL for (int k = 0; k < TW_T1D_NSTATES; ++k) x[k] = X[k * ld + i];
        TW_T1D_SUF(tw_t1d_ctx) c;
        TW_T1D_SUF(tw_t1d_ctx_load)(&c, P + i, ld);
        TW_T1D_SUF(tw_t1d_ctx_inputs)(&c, D[TW_T1D_D_CHO * ld + i], um[TW_T1D_U_INSULIN * ld + i],
                                      D[TW_T1D_D_DBAR * ld + i]);
        TW_T1D_SUF(t1d_rk4)(TW_T1D_NSTATES, x, &c, h, 1);
        TW_UNROLL for (int k = 0; k < TW_T1D_NSTATES; ++k) X[k * ld + i] = x[k];
      }
    }
  }
}

/* Flags the twins of [i0, i1) whose state is no longer finite (x - x is 0 for
** finite x, NaN for NaN and infinities). Their last state stays as it is. */
static void TW_T1D_SUF(t1d_check_range)(tw_physio_batch *b, int64_t i0, int64_t i1) {
  typedef TW_T1D_REAL real;
  const real *X = (const real *)b->x;
  for (int64_t i = i0; i < i1; ++i) {
    real probe = 0;
    for (int s = 0; s < TW_T1D_NSTATES; ++s) probe += X[s * b->ld + i] - X[s * b->ld + i];
    if (b->flag[i] == TW_TWIN_OK && !(probe == (real)0)) b->flag[i] = TW_TWIN_NONFINITE;
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
