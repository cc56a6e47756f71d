/*
** arena.c: the bump allocator behind arena.h.
*/
#include "core/arena.h"

#include <assert.h> /* invariants on the bump pointer */
#include <stdlib.h> /* aligned_alloc, free */
#include <string.h> /* memset */

size_t tw_arena_round(size_t bytes) {
  return (bytes + TW_ARENA_ALIGN - 1) / TW_ARENA_ALIGN * TW_ARENA_ALIGN;
}

tw_status tw_arena_init(tw_arena *arena, size_t capacity) {
  arena->used = 0;
  arena->capacity = tw_arena_round(capacity ? capacity : 1);
  arena->base = aligned_alloc(TW_ARENA_ALIGN, arena->capacity);
  if (!arena->base) {
    arena->capacity = 0;
    return TW_FAIL(TW_ERR_NOMEM, "cannot allocate an arena of %zu bytes", capacity);
  }
  return TW_OK;
}

tw_status tw_arena_take(tw_arena *arena, size_t bytes, void **out) {
  assert(arena->used % TW_ARENA_ALIGN == 0);
  size_t need = tw_arena_round(bytes);
  if (need < bytes || need > arena->capacity - arena->used)
    return TW_FAIL(TW_ERR_NOMEM, "arena of %zu bytes has %zu left; %zu requested",
                   arena->capacity, arena->capacity - arena->used, bytes);
  *out = arena->base + arena->used;
  memset(*out, 0, need);
  arena->used += need;
  return TW_OK;
}

void tw_arena_reset(tw_arena *arena, size_t mark) {
  assert(mark <= arena->used && mark % TW_ARENA_ALIGN == 0);
  arena->used = mark;
}

void tw_arena_free(tw_arena *arena) {
  free(arena->base);
  arena->base = NULL;
  arena->capacity = arena->used = 0;
}
