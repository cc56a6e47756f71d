/*
** backend_module.c: finding and loading the CUDA module (libtwinscale_cuda.so)
** on demand, and probing for the CUDA driver without it.
**
** The CUDA side (cuda/ kernels, cuBLAS, cuDNN) is a shared module so that a process
** that never asks for a GPU never maps those libraries: `twinscale --help` and a
** CPU simulation stay small and quick to start. The module does not link
** libtwinscale: its references to the library (status, logging, the GRT
** orchestration) resolve to the executable's own copy, which exports them
** (-rdynamic), so there is one thread-local error record in the process.
**
** Search order: TW_CUDA_MODULE_FILE in the executable's directory
** (/proc/self/exe), then the path in $TWINSCALE_CUDA_MODULE when set. In the
** CUDA emulator's library (tests/cuda_emu, compiled with TW_CUDA_EMULATED) the
** emulated module is linked in instead and its runtime needs no driver. The module stays loaded until exit
** (its tables are referenced by open backends).
*/
#define _POSIX_C_SOURCE 200809L /* readlink under strict C17 */
#include "backend/backend.h"

#include <dlfcn.h>  /* dlopen, dlsym, dlerror */
#include <limits.h> /* PATH_MAX */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* getenv */
#include <string.h> /* strrchr */
#include <unistd.h> /* readlink, access */

#include "core/log.h" /* TW_DEBUG: which module was loaded */

static const tw_cuda_module_api *g_module; /* loaded once, never unloaded */

#ifdef TW_CUDA_EMULATED
extern const tw_cuda_module_api tw_cuda_module; /* the emulated module, linked in */
int tw_cuda_module_linked_in(void) { return 1; }
#else
int tw_cuda_module_linked_in(void) { return 0; }
#endif

/* "<dir of the executable>/libtwinscale_cuda.so", or "" when /proc is unreadable. */
static void module_next_to_exe(char *path, size_t cap) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  path[0] = '\0';
  if (n <= 0) return;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return;
  *slash = '\0';
  snprintf(path, cap, "%s/%s", exe, TW_CUDA_MODULE_FILE);
}

/* dlopen + dlsym + ABI check; on failure `err` says why, naming `path`. */
static int try_load(const char *path, const tw_cuda_module_api **api, char *err, size_t cap) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(err, cap, "%s", dlerror());
    return 0;
  }
  const tw_cuda_module_api *a = (const tw_cuda_module_api *)dlsym(h, TW_CUDA_MODULE_SYMBOL);
  if (!a) {
    snprintf(err, cap, "%s: no symbol %s (%s)", path, TW_CUDA_MODULE_SYMBOL, dlerror());
  } else if (a->abi != TW_CUDA_MODULE_ABI) {
    snprintf(err, cap, "%s: module ABI %d, this twinscale needs %d (rebuild the module)", path, a->abi,
             TW_CUDA_MODULE_ABI);
  } else {
    *api = a;
    return 1;
  }
  dlclose(h);
  return 0;
}

tw_status tw_cuda_module_get(const tw_cuda_module_api **api) {
#ifdef TW_CUDA_EMULATED
  g_module = &tw_cuda_module;
#endif
  *api = g_module;
  if (g_module) return TW_OK;
  char here[PATH_MAX + 64], err_here[1024] = "no executable path", err_env[1024] = "";
  module_next_to_exe(here, sizeof here);
  if (here[0] && try_load(here, &g_module, err_here, sizeof err_here)) {
    TW_DEBUG("CUDA module: %s", here);
  } else {
    const char *env = getenv("TWINSCALE_CUDA_MODULE");
    if (!env || !*env)
      return TW_FAIL(TW_ERR_UNSUPPORTED, "cannot load the CUDA module: %s (TWINSCALE_CUDA_MODULE is not set)",
                     err_here);
    if (!try_load(env, &g_module, err_env, sizeof err_env))
      return TW_FAIL(TW_ERR_UNSUPPORTED, "cannot load the CUDA module: %s; TWINSCALE_CUDA_MODULE: %s", err_here,
                     err_env);
    TW_DEBUG("CUDA module: %s (TWINSCALE_CUDA_MODULE)", env);
  }
  *api = g_module;
  return TW_OK;
}

int tw_cuda_module_file_exists(void) {
  char here[PATH_MAX + 64];
  module_next_to_exe(here, sizeof here);
  const char *env = getenv("TWINSCALE_CUDA_MODULE");
  return (here[0] && access(here, F_OK) == 0) || (env && *env && access(env, F_OK) == 0);
}

int tw_cuda_driver_present(char *why, size_t cap) {
  void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (!h) {
    if (cap) snprintf(why, cap, "no CUDA driver (%s)", dlerror());
    return 0;
  }
  dlclose(h);
  return 1;
}
