/*
** plugin.h: opening a library that extends twinscale at run time (a model pack,
** pack_load.c; an insulin controller, controller_load.c) and finding its entry.
** What the entry returns, and its checks, are each kind's own.
*/
#ifndef TW_PHYSIO_PLUGIN_H
#define TW_PHYSIO_PLUGIN_H

#include "core/status.h" /* tw_status */

TW_EXTERN_C_BEGIN

/* A kind of library: "pack", its entry symbol, and the macro that defines it. */
typedef struct tw_plugin_kind {
  const char *what;   /* "pack", "controller": in messages */
  const char *symbol; /* "twinscale_pack_entry" */
  const char *define; /* "TW_PACK_DEFINE_ENTRY" */
} tw_plugin_kind;

/* dlopen's the library at `path` (RTLD_NOW | RTLD_LOCAL; a bare name is taken
** as ./name, not searched for) and writes its handle and the address of its
** entry (to be memcpy'd into the kind's function pointer type). TW_ERR_INPUT
** naming the path when it does not open or lacks the entry; nothing stays open
** then. */
tw_status tw_plugin_open(const char *path, const tw_plugin_kind *kind, void **handle, void **entry);

TW_EXTERN_C_END

#endif
