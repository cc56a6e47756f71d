/*
** packs.c: the registry of model packs, name -> pack: the built-in packs below,
** and packs in shared libraries, which a `pack:` value that is a path names
** (pack_load.c; docs/packs.md).
**
** Adding a built-in pack: write src/physio/<name>.c defining `const tw_pack
** tw_pack_<name>` and add one line to the table below (docs/physiology.md,
** "Adding a pack"). Nothing else in twinscale names a pack.
*/
#include "physio/pack.h" /* tw_pack */

#include <stdio.h>  /* snprintf for the list of known packs */
#include <string.h> /* strcmp */

extern const tw_pack tw_pack_t1d, tw_pack_pbpk;

static const tw_pack *const tw_packs[] = {
    &tw_pack_t1d,
    &tw_pack_pbpk,
};

int tw_pack_count(void) { return (int)TW_ARRAY_LEN(tw_packs); }

const tw_pack *tw_pack_at(int i) {
  return (i >= 0 && i < tw_pack_count()) ? tw_packs[i] : NULL;
}

const tw_pack *tw_pack_find(const char *name) {
  for (int i = 0; i < tw_pack_count(); ++i)
    if (name && strcmp(tw_packs[i]->name, name) == 0) return tw_packs[i];
  return NULL;
}

tw_status tw_pack_lookup(const char *name, const tw_pack **out) {
  if (name && tw_pack_is_path(name)) return tw_pack_load(name, out);
  *out = tw_pack_find(name);
  if (*out) return TW_OK;
  char known[256] = "";
  size_t len = 0;
  for (int i = 0; i < tw_pack_count() && len < sizeof known; ++i)
    len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                            tw_packs[i]->name);
  return TW_FAIL(TW_ERR_INPUT, "unknown model pack '%s' (known: %s; or a pack library: ./libname.so)",
                 name ? name : "(null)", known);
}
