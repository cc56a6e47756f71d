/*
** plugin.c: opening a pack or controller library (plugin.h).
*/
#include "physio/plugin.h"

#include <dlfcn.h>  /* dlopen, dlsym, dlerror, dlclose */
#include <stdio.h>  /* snprintf */
#include <string.h> /* strchr */

tw_status tw_plugin_open(const char *path, const tw_plugin_kind *kind, void **handle, void **entry) {
  char where[1100];
  *handle = *entry = NULL;
  /* dlopen searches the library path for a bare name: make it a path */
  snprintf(where, sizeof where, "%s%s", strchr(path, '/') ? "" : "./", path);
  void *h = dlopen(where, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *why = dlerror();
    return TW_FAIL(TW_ERR_INPUT, "%s: cannot load the %s library (%s)", path, kind->what, why ? why : "dlopen failed");
  }
  dlerror();
  void *sym = dlsym(h, kind->symbol);
  if (!sym) {
    dlclose(h);
    return TW_FAIL(TW_ERR_INPUT, "%s: not a twinscale %s: no symbol %s (define it with %s)", path, kind->what,
                   kind->symbol, kind->define);
  }
  *handle = h;
  *entry = sym;
  return TW_OK;
}
