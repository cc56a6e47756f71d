/*
** blas_lazy.h: OpenBLAS loaded on first use, not at process start.
**
** Linked normally, OpenBLAS starts its worker threads (and maps a 128 MB buffer)
** in a constructor before main, in every process: `twinscale --help` and a CPU
** simulation that never multiplies a matrix pay for it, and on a small machine
** the idle workers' spinning takes CPU from the simulation's OpenMP threads
** (docs/performance.md, start-up). So the library is dlopen'ed by the first GEMM
** (or thread query) instead: libopenblas.so.0, then the path CMake found.
** Where it cannot be loaded, GEMM falls back to the reference GEMM with one
** warning. Only in builds with TW_HAVE_OPENBLAS.
**
** Pinned kernels. OpenBLAS picks its GEMM kernels, and their blocking, by the
** CPU it finds (Cooperlake on a Zen 4, SkylakeX on a Xeon, Haswell on a
** laptop), and a kernel of another blocking sums a product in another order:
** the same training gave another model on another machine (docs/gan.md,
** "The training's own spread"). So the load sets OPENBLAS_CORETYPE=Haswell
** on every x86-64 CPU with AVX2 and FMA: one kernel, whose blocking is fixed
** at OpenBLAS's build (not derived from the cache size), so the same
** OpenBLAS gives the same bits on any such machine (docs/distribution.md).
** A user who sets OPENBLAS_CORETYPE gets that core; TW_BLAS_PIN=0 leaves the
** choice to OpenBLAS. Elsewhere (no AVX2, another architecture) nothing is
** pinned. Model files record the kernel (`twinscale version` prints it).
*/
#ifndef TW_BLAS_LAZY_H
#define TW_BLAS_LAZY_H

#include <cblas.h> /* CBLAS_ORDER, CBLAS_TRANSPOSE, blasint */

#include "core/defs.h" /* TW_EXTERN_C_BEGIN */

TW_EXTERN_C_BEGIN

typedef void (*tw_cblas_sgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint,
                                  blasint, float, const float *, blasint, const float *, blasint, float, float *,
                                  blasint);
typedef void (*tw_cblas_dgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint,
                                  blasint, double, const double *, blasint, const double *, blasint, double,
                                  double *, blasint);

typedef struct tw_blas {
  tw_cblas_sgemm_fn sgemm; /* NULL: OpenBLAS could not be loaded */
  tw_cblas_dgemm_fn dgemm;
  int (*get_num_threads)(void);
  void (*set_num_threads)(int);
  char *(*get_config)(void); /* "OpenBLAS 0.3.21 ... Cooperlake ...": version and the core it chose; may be NULL */
} tw_blas;

/* The loaded library's entries (loading it on the first call, thread-safe). */
const tw_blas *tw_blas_get(void);

/* openblas_get_num_threads / openblas_set_num_threads (declared by cblas.h) are
** defined in blas_lazy.c as forwarders, so code that calls them needs no change. */

TW_EXTERN_C_END

#endif
