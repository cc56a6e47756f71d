/*
** arena.h: planned memory (DESIGN.md invariant 5).
**
** A run sizes its buffers up front and takes them from an arena: one aligned
** block, bump-allocated, released all at once. Hot loops never allocate. The
** arena lives in host memory; device memory is planned the same way through the
** backend's alloc (backend.h).
**
**   tw_arena a;
**   TW_TRY(tw_arena_init(&a, bytes_needed));
**   double *x; TW_TRY(tw_arena_take(&a, n * sizeof *x, (void **)&x));
**   ...
**   tw_arena_free(&a);
*/
#ifndef TW_ARENA_H
#define TW_ARENA_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

enum { TW_ARENA_ALIGN = 64 }; /* a cache line, and an AVX-512 vector */

typedef struct tw_arena {
  unsigned char *base;
  size_t capacity;
  size_t used;
} tw_arena;

tw_status tw_arena_init(tw_arena *arena, size_t capacity);
/* Takes `bytes` (rounded up to TW_ARENA_ALIGN), zero-filled; fails with TW_ERR_NOMEM
** naming the sizes when the arena is too small. */
tw_status tw_arena_take(tw_arena *arena, size_t bytes, void **out);
/* Bytes a sequence of takes of these sizes needs, for sizing an arena up front. */
size_t tw_arena_round(size_t bytes);
/* Gives back everything taken since `mark` (a value of arena->used). */
void tw_arena_reset(tw_arena *arena, size_t mark);
void tw_arena_free(tw_arena *arena);

TW_EXTERN_C_END

#endif
