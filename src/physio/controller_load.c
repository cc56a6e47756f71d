/*
** controller_load.c: controllers loaded from shared libraries at run time
** (controller.h tw_controller_load; docs/controllers.md), as packs are
** (pack_load.c).
**
** A controller library exports `twinscale_controller_entry`
** (twinscale/controller.h, TW_CONTROLLER_DEFINE_ENTRY). The entry reports the
** ABI version the library was built for before anything reads the controller,
** so a library built against another layout of the struct is refused without
** touching it. A controller needs no symbol of the executable, so libraries are
** opened RTLD_LOCAL and never closed once accepted: the controller lives as
** long as the process, like the built-in ones. Loading is serialised by the
** caller (run setup, on one thread).
*/
#include "physio/controller.h"

#include "physio/plugin.h" /* tw_plugin_open */

#include <dlfcn.h>  /* dlclose */
#include <stdio.h>  /* snprintf */
#include <string.h> /* memcpy, strcmp, strlen */

enum { MAX_LIBRARIES = 16 };

/* Libraries accepted so far, by the path they were loaded from. */
static struct {
  char path[1024];
  const tw_controller *controller;
} loaded[MAX_LIBRARIES];
static int n_loaded;

/* The library's entry (its handle in *handle), or TW_ERR_INPUT naming the path. */
static tw_status entry_of(const char *path, void **handle, tw_controller_entry_fn *entry) {
  static const tw_plugin_kind kind = {"controller", TW_CONTROLLER_ENTRY_SYMBOL, "TW_CONTROLLER_DEFINE_ENTRY"};
  void *sym;
  TW_TRY(tw_plugin_open(path, &kind, handle, &sym));
  memcpy(entry, &sym, sizeof *entry); /* POSIX: a function's address read back from dlsym's object pointer */
  return TW_OK;
}

/* The entry's controller after the ABI check and tw_controller_check. */
static tw_status checked(const char *path, tw_controller_entry_fn entry, const tw_controller **out) {
  int abi = -1;
  const tw_controller *c = entry(&abi);
  if (abi != TW_CONTROLLER_ABI_VERSION)
    return TW_FAIL(TW_ERR_INPUT, "%s: controller ABI version %d, this twinscale expects %d (rebuild the controller "
                   "against this twinscale's include/twinscale/controller.h)", path, abi, TW_CONTROLLER_ABI_VERSION);
  if (!c) return TW_FAIL(TW_ERR_INPUT, "%s: the controller entry returned no controller", path);
  if (tw_controller_check(c) != TW_OK) {
    char why[512];
    snprintf(why, sizeof why, "%s", tw_error_message());
    tw_error_clear();
    return TW_FAIL(TW_ERR_INPUT, "%s: invalid controller: %s", path, why);
  }
  *out = c;
  return TW_OK;
}

tw_status tw_controller_load(const char *path, const tw_controller **out) {
  *out = NULL;
  for (int i = 0; i < n_loaded; ++i)
    if (!strcmp(loaded[i].path, path)) return *out = loaded[i].controller, TW_OK;
  if (n_loaded == MAX_LIBRARIES || strlen(path) >= sizeof loaded[0].path)
    return TW_FAIL(TW_ERR_INPUT, "%s: too many controller libraries or too long a path", path);
  void *handle = NULL;
  tw_controller_entry_fn entry = NULL;
  tw_status st = entry_of(path, &handle, &entry);
  if (st == TW_OK) st = checked(path, entry, out);
  if (st != TW_OK) {
    *out = NULL;
    if (handle) dlclose(handle);
    return st;
  }
  snprintf(loaded[n_loaded].path, sizeof loaded[0].path, "%s", path);
  loaded[n_loaded++].controller = *out;
  return TW_OK;
}
