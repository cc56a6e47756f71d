/*
** backend.c: opening backends by name ("auto", "cpu", "cuda"), probing for CUDA
** devices, device selection, GEMM argument checks.
**
** Nothing here calls CUDA itself: the probe asks the dynamic loader for the
** driver, then the module (backend_module.c), so a build with CUDA still starts
** CPU-only processes without mapping a CUDA library.
*/
#include "backend/backend.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp, strchr, strcspn, memcpy */

#include "build_info.h" /* TW_HAVE_CUDA */
#include "core/log.h"   /* TW_WARN when "auto" falls back after a CUDA error */

tw_status tw_backend_name_check(const char *name) {
  if (!strcmp(name, "auto") || !strcmp(name, "cpu") || !strcmp(name, "cuda")) return TW_OK;
  return TW_FAIL(TW_ERR_INPUT, "unknown backend '%s' (expected auto, cpu or cuda)", name);
}

tw_status tw_backend_cuda_probe_why(int *n_devices, char *why, size_t cap) {
  char scratch[256]; /* when the caller does not want the reason */
  if (!why || !cap) why = scratch, cap = sizeof scratch;
  *n_devices = 0;
#if !TW_HAVE_CUDA
  snprintf(why, cap, "this build has no CUDA");
  return TW_OK;
#else
  const int linked = tw_cuda_module_linked_in(); /* its runtime needs no driver check here */
  if (!linked && !tw_cuda_driver_present(why, cap)) return TW_OK;
  const tw_cuda_module_api *api;
  if (!linked && !tw_cuda_module_file_exists()) {
    /* A driver and no module: this installation has no CUDA side, no error for a probe. */
    snprintf(why, cap, "no CUDA module (%s next to the executable or at $TWINSCALE_CUDA_MODULE)",
             TW_CUDA_MODULE_FILE);
    return TW_OK;
  }
  TW_TRY(tw_cuda_module_get(&api)); /* there but not loadable: a broken install */
  TW_TRY(api->device_count(n_devices));
  if (*n_devices == 0) snprintf(why, cap, "no CUDA device visible");
  else snprintf(why, cap, "%d CUDA device%s visible", *n_devices, *n_devices == 1 ? "" : "s");
  return TW_OK;
#endif
}

tw_status tw_backend_cuda_probe(int *n_devices) { return tw_backend_cuda_probe_why(n_devices, NULL, 0); }

#if TW_HAVE_CUDA
/* Line `index` of the device list ("0: NVIDIA H100 ..."), into be->why. */
static void describe_chosen(tw_backend *be, int index) {
  char list[4096];
  tw_backend_cuda_describe(list, sizeof list);
  const char *line = list;
  for (int i = 0; i < index && line; ++i) {
    line = strchr(line, '\n');
    if (line) ++line;
  }
  if (!line || !*line) line = "device list unavailable";
  size_t len = strcspn(line, "\n");
  if (len >= sizeof be->why) len = sizeof be->why - 1;
  memcpy(be->why, line, len);
  be->why[len] = '\0';
}
#endif

static tw_status open_cuda(int device_index, tw_backend **out) {
#if !TW_HAVE_CUDA
  (void)device_index;
  (void)out;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "backend 'cuda' requested but this build has no CUDA");
#else
  const tw_cuda_module_api *api;
  TW_TRY(tw_cuda_module_get(&api));
  char why[512] = "";
  if (!tw_cuda_module_linked_in() && !tw_cuda_driver_present(why, sizeof why))
    return TW_FAIL(TW_ERR_UNSUPPORTED, "backend 'cuda' requested but no CUDA device is visible: %s", why);
  int n = 0;
  TW_TRY(api->device_count(&n));
  if (n == 0) return TW_FAIL(TW_ERR_UNSUPPORTED, "backend 'cuda' requested but no CUDA device is visible");
  TW_TRY(api->create(device_index, out));
  describe_chosen(*out, device_index);
  return TW_OK;
#endif
}

/* "auto": CUDA when the probe finds a device, the CPU otherwise, saying why. */
static tw_status open_auto(int device_index, tw_backend **out) {
  char why[512] = "";
  int n = 0;
  tw_status probe = tw_backend_cuda_probe_why(&n, why, sizeof why);
  if (probe != TW_OK) {
    snprintf(why, sizeof why, "CUDA unusable: %s", tw_error_message());
    TW_WARN("backend auto: %s; using the CPU", why);
    tw_error_clear();
  }
  if (probe == TW_OK && n > 0) return open_cuda(device_index < n ? device_index : 0, out);
  TW_TRY(tw_backend_cpu_create(out));
  snprintf((*out)->why, sizeof (*out)->why, "%.*s", (int)sizeof (*out)->why - 1, why);
  return TW_OK;
}

tw_status tw_backend_open(const char *name, int device_index, tw_backend **out) {
  *out = NULL;
  TW_TRY(tw_backend_name_check(name));
  if (!strcmp(name, "auto")) return open_auto(device_index, out);
  if (!strcmp(name, "cuda")) return open_cuda(device_index, out);
  TW_TRY(tw_backend_cpu_create(out));
  snprintf((*out)->why, sizeof (*out)->why, "asked for");
  return TW_OK;
}

void tw_backend_close(tw_backend *be) {
  if (be) be->destroy(be);
}

int tw_backend_cuda_device_count(void) {
  int n = 0;
  if (tw_backend_cuda_probe(&n) != TW_OK) {
    TW_DEBUG("no usable CUDA device: %s", tw_error_message());
    tw_error_clear();
    return 0;
  }
  return n;
}

void tw_backend_cuda_describe(char *buf, size_t cap) {
  if (cap) buf[0] = '\0';
#if TW_HAVE_CUDA
  const tw_cuda_module_api *api;
  if (tw_backend_cuda_device_count() == 0) return;
  if (tw_cuda_module_get(&api) != TW_OK) {
    tw_error_clear();
    return;
  }
  api->describe(buf, cap);
#endif
}

int tw_backend_device_for_local_rank(int local_rank) {
  int n = tw_backend_cuda_device_count();
  return n > 0 ? local_rank % n : -1;
}

tw_status tw_gemm_validate(const tw_gemm_batch *g) {
  if (g->dtype != TW_F32 && g->dtype != TW_F64)
    return TW_FAIL(TW_ERR_INTERNAL, "gemm: dtype %s is not float32 or float64", tw_dtype_name(g->dtype));
  if (g->m < 0 || g->n < 0 || g->k < 0 || g->batch < 0)
    return TW_FAIL(TW_ERR_INTERNAL, "gemm: negative size m=%d n=%d k=%d batch=%d", g->m, g->n, g->k, g->batch);
  /* Row-major: a row of stored A holds k (no transpose) or m (transposed) elements. */
  int64_t a_cols = g->trans_a ? g->m : g->k, b_cols = g->trans_b ? g->k : g->n;
  if (g->lda < TW_MAX(1, a_cols) || g->ldb < TW_MAX(1, b_cols) || g->ldc < TW_MAX(1, g->n))
    return TW_FAIL(TW_ERR_INTERNAL, "gemm: leading dimension too small (lda=%lld ldb=%lld ldc=%lld for m=%d n=%d k=%d)",
                   (long long)g->lda, (long long)g->ldb, (long long)g->ldc, g->m, g->n, g->k);
  return TW_OK;
}
