/*
** blas_lazy.c: OpenBLAS loaded on first use (see blas_lazy.h).
*/
#define _POSIX_C_SOURCE 200809L /* pthread_once under strict C17 */
#include "build_info.h" /* TW_HAVE_OPENBLAS */

#if TW_HAVE_OPENBLAS
#include "backend/blas_lazy.h"

#include <dlfcn.h>   /* dlopen, dlsym */
#include <pthread.h> /* pthread_once: one load, whichever thread asks first */
#include <stdlib.h>  /* getenv, setenv */
#include <string.h>  /* strcmp */

#include "core/log.h" /* TW_WARN when OpenBLAS is missing at run time, TW_DEBUG when loaded */

#ifndef TW_OPENBLAS_PATH
#define TW_OPENBLAS_PATH "libopenblas.so" /* src/CMakeLists.txt passes the one CMake found */
#endif

static tw_blas g_blas;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* dlsym into a function pointer without a data-to-function cast warning. */
static void *sym(void *h, const char *name) { return h ? dlsym(h, name) : NULL; }

/* The pinned kernels (blas_lazy.h): OPENBLAS_CORETYPE=Haswell for the load,
** on an x86-64 CPU with AVX2 and FMA, unless the user named a core or set
** TW_BLAS_PIN=0. OpenBLAS reads the variable when it is loaded, which is
** now: nothing has loaded it before the first GEMM. */
static void pin_core(void) {
#if defined(__x86_64__)
  const char *pin = getenv("TW_BLAS_PIN");
  if (getenv("OPENBLAS_CORETYPE") || (pin && !strcmp(pin, "0"))) return;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) setenv("OPENBLAS_CORETYPE", "Haswell", 0);
#endif
}

static void load(void) {
  pin_core();
  const char *tried[2] = {"libopenblas.so.0", TW_OPENBLAS_PATH};
  void *h = NULL;
  for (int i = 0; i < 2 && !h; ++i) h = dlopen(tried[i], RTLD_NOW | RTLD_LOCAL);
  void *s = sym(h, "cblas_sgemm"), *d = sym(h, "cblas_dgemm");
  void *get = sym(h, "openblas_get_num_threads"), *set = sym(h, "openblas_set_num_threads");
  if (!s || !d || !get || !set) {
    TW_WARN("OpenBLAS not loaded (%s); GEMM uses the reference implementation", h ? "symbols missing" : dlerror());
    return;
  }
  *(void **)&g_blas.sgemm = s;
  *(void **)&g_blas.dgemm = d;
  *(void **)&g_blas.get_num_threads = get;
  *(void **)&g_blas.set_num_threads = set;
  *(void **)&g_blas.get_config = sym(h, "openblas_get_config"); /* optional: provenance only */
  TW_DEBUG("OpenBLAS loaded on first use, %d thread(s)", g_blas.get_num_threads());
}

const tw_blas *tw_blas_get(void) {
  pthread_once(&g_once, load);
  return &g_blas;
}

/* Hidden: the executable exports its symbols (for the CUDA module), and OpenBLAS
** itself calls these two through its PLT; exported, they would bind OpenBLAS's own
** calls to these forwarders (and, from its constructor, into the load still in
** progress). Code linked into the same executable still reaches them. */
__attribute__((visibility("hidden"))) int openblas_get_num_threads(void) {
  const tw_blas *b = tw_blas_get();
  return b->get_num_threads ? b->get_num_threads() : 1;
}

__attribute__((visibility("hidden"))) void openblas_set_num_threads(int num_threads) {
  const tw_blas *b = tw_blas_get();
  if (b->set_num_threads) b->set_num_threads(num_threads);
}
#endif
