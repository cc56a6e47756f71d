/*
** pack_load.c: model packs loaded from shared libraries at run time (pack.h,
** "packs in shared libraries"; docs/packs.md).
**
** A pack library exports `twinscale_pack_entry` (twinscale/pack.h,
** TW_PACK_DEFINE_ENTRY). The entry reports the ABI version the library was
** built for before anything reads the pack, so a library built against another
** layout of the structs is refused without touching them. A pack needs no
** symbol of the executable (pure data and its own math), so libraries are
** opened RTLD_LOCAL and never closed: the pack's tables and functions live as
** long as the process, like the built-in packs.
*/
#include "physio/pack.h"   /* tw_pack, tw_pack_validate */
#include "physio/plugin.h" /* tw_plugin_open */

#include <dlfcn.h>  /* dlclose */
#include <stdio.h>  /* snprintf */
#include <string.h> /* memcpy, strchr, strcmp, strlen */

#define TW_MAX_LOADED_PACKS 16

/* Libraries loaded so far, by the path they were loaded from. */
static struct {
  char path[1024];
  const tw_pack *pack;
} loaded[TW_MAX_LOADED_PACKS];
static int n_loaded;

int tw_pack_is_path(const char *name) {
  const size_t n = strlen(name);
  return strchr(name, '/') != NULL || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

/* The entry of the library at `path`, or an error naming the path. */
static tw_status open_entry(const char *path, void **handle, tw_pack_entry_fn *entry) {
  static const tw_plugin_kind kind = {"pack", TW_PACK_ENTRY_SYMBOL, "TW_PACK_DEFINE_ENTRY"};
  void *sym;
  TW_TRY(tw_plugin_open(path, &kind, handle, &sym));
  memcpy(entry, &sym, sizeof *entry); /* POSIX: a function's address read back from dlsym's object pointer */
  return TW_OK;
}

/* The entry's pack after the ABI check, the declaration check and the name check. */
static tw_status checked_pack(const char *path, tw_pack_entry_fn entry, const tw_pack **out) {
  int abi = -1;
  const tw_pack *pk = entry(&abi);
  if (abi != TW_PACK_ABI_VERSION)
    return TW_FAIL(TW_ERR_INPUT, "%s: pack ABI version %d, this twinscale expects %d (rebuild the pack against "
                   "this twinscale's include/twinscale/pack.h)", path, abi, TW_PACK_ABI_VERSION);
  if (!pk) return TW_FAIL(TW_ERR_INPUT, "%s: the pack entry returned no pack", path);
  if (tw_pack_validate(pk) != TW_OK) {
    char why[512];
    snprintf(why, sizeof why, "%s", tw_error_message());
    tw_error_clear();
    return TW_FAIL(TW_ERR_INPUT, "%s: invalid pack declaration: %s", path, why);
  }
  if (tw_pack_find(pk->name))
    return TW_FAIL(TW_ERR_INPUT, "%s: the pack's name '%s' is a built-in pack's; rename it", path, pk->name);
  *out = pk;
  return TW_OK;
}

tw_status tw_pack_load(const char *path, const tw_pack **out) {
  *out = NULL;
  for (int i = 0; i < n_loaded; ++i)
    if (strcmp(loaded[i].path, path) == 0) {
      *out = loaded[i].pack;
      return TW_OK;
    }
  if (n_loaded == TW_MAX_LOADED_PACKS || strlen(path) >= sizeof loaded[0].path)
    return TW_FAIL(TW_ERR_INPUT, "%s: too many pack libraries or too long a path", path);
  tw_pack_entry_fn entry = NULL;
  void *handle = NULL;
  TW_TRY(open_entry(path, &handle, &entry));
  if (checked_pack(path, entry, out) != TW_OK) {
    *out = NULL;
    dlclose(handle);
    return tw_error_trace(TW_ERR_INPUT, __FILE__, __LINE__);
  }
  snprintf(loaded[n_loaded].path, sizeof loaded[0].path, "%s", path);
  loaded[n_loaded++].pack = *out;
  return TW_OK;
}
