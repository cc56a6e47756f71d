/*
** dp_sgd_body.h: the DP-SGD step (dp_sgd.h) for one real type.
**
** Include it after defining TW_DP_REAL (float or double), TW_DP_SUF(name) (the
** name with its type suffix: name##_f32), TW_DP_SQRT and TW_DP_FMA (sqrtf and
** fmaf, or sqrt and fma), as src/physio/model.c does with model_body.h; it may be
** included several times (no include guard on purpose) and #undefs them at the end.
*/
#if !defined(TW_DP_REAL) || !defined(TW_DP_SUF) || !defined(TW_DP_SQRT) || !defined(TW_DP_FMA)
#error "define TW_DP_REAL, TW_DP_SUF, TW_DP_SQRT and TW_DP_FMA before including dp_sgd_body.h"
#endif

/* PyTorch's lane-wise sum of squares: the running state of one norm, fed one
** element at a time, so that the norm of the per-tensor norms needs no array. */
typedef struct TW_DP_SUF(dp_norm) {
  TW_DP_REAL lane[DP_LANES], sum; /* the lanes; after the fold, the running sum */
  int64_t d, full;                /* elements fed; elements that go to lanes (n - n mod 8) */
} TW_DP_SUF(dp_norm);

static TW_DP_SUF(dp_norm) TW_DP_SUF(dp_norm_start)(int64_t n) {
  TW_DP_SUF(dp_norm) s = {{0}, 0, 0, n - n % DP_LANES}; /* no lanes: the sum starts at 0 */
  return s;
}

static void TW_DP_SUF(dp_norm_feed)(TW_DP_SUF(dp_norm) *s, TW_DP_REAL x) {
  TW_DP_REAL sq = x * x;
  if (s->d < s->full) {
    s->lane[s->d % DP_LANES] = s->lane[s->d % DP_LANES] + sq;
    if (++s->d == s->full) { /* the lanes are done: fold them left to right */
      s->sum = s->lane[0];
      for (int l = 1; l < DP_LANES; ++l) s->sum = s->sum + s->lane[l];
    }
    return;
  }
  s->sum = s->sum + sq;
  ++s->d;
}

/* The norm of x (n), as torch's x.norm(2) over a contiguous last dimension. */
static TW_DP_REAL TW_DP_SUF(dp_norm_of)(const TW_DP_REAL *x, int64_t n) {
  TW_DP_SUF(dp_norm) s = TW_DP_SUF(dp_norm_start)(n);
  for (int64_t d = 0; d < n; ++d) TW_DP_SUF(dp_norm_feed)(&s, x[d]);
  return TW_DP_SQRT(s.sum);
}

/* Example i's norm: the norm of its per-tensor norms. */
static TW_DP_REAL TW_DP_SUF(dp_example_norm)(const TW_DP_REAL *g, int n_tensors, const int64_t *sizes) {
  TW_DP_SUF(dp_norm) s = TW_DP_SUF(dp_norm_start)(n_tensors);
  for (int t = 0; t < n_tensors; ++t) {
    TW_DP_SUF(dp_norm_feed)(&s, TW_DP_SUF(dp_norm_of)(g, sizes[t]));
    g += sizes[t];
  }
  return TW_DP_SQRT(s.sum);
}

tw_status TW_DP_SUF(tw_dp_sgd_step)(const tw_dp_sgd *p, int64_t B, int64_t P, const TW_DP_REAL *grads,
                                    int n_tensors, const int64_t *tensor_sizes, const TW_DP_REAL *noise,
                                    TW_DP_REAL *out, TW_DP_REAL *norm, TW_DP_REAL *factor) {
  typedef TW_DP_REAL real;
  TW_TRY(dp_check(p, B, P, n_tensors, tensor_sizes));
  const real c = (real)p->max_grad_norm, eps = (real)1e-6, one = 1;
  for (int64_t j = 0; j < P; ++j) out[j] = 0;
  for (int64_t i = 0; i < B; ++i) {
    const real *g = grads + i * P;
    real n = TW_DP_SUF(dp_example_norm)(g, n_tensors, tensor_sizes);
    real f = (one / (n + eps)) * c;
    f = f > one ? one : f; /* clamp(max=1): NaN stays NaN */
    if (norm) norm[i] = n;
    if (factor) factor[i] = f;
    for (int64_t j = 0; j < P; ++j) out[j] = TW_DP_FMA(f, g[j], out[j]);
  }
  const real std = (real)(p->noise_multiplier * p->max_grad_norm), e = (real)p->expected_batch;
  for (int64_t j = 0; j < P; ++j) {
    real z = std == 0 ? (real)0 : std * noise[j]; /* Opacus adds zeros when std is 0 */
    out[j] = (out[j] + z) / e;
  }
  return TW_OK;
}

#undef TW_DP_REAL
#undef TW_DP_SUF
#undef TW_DP_SQRT
#undef TW_DP_FMA
