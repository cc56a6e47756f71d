/*
** test_memory.c: arenas (alignment, zero fill, exhaustion, reset) and tensor views.
*/
#include <string.h> /* strstr */

#include "core/arena.h"
#include "core/tensor.h"
#include "tw_test.h"

static void arena_takes_aligned_zeroed(void) {
  tw_arena a;
  CHECK_OK(tw_arena_init(&a, 1000));
  void *p, *q;
  CHECK_OK(tw_arena_take(&a, 10, &p));
  CHECK_OK(tw_arena_take(&a, 100, &q));
  CHECK_EQ_INT((uintptr_t)p % TW_ARENA_ALIGN, 0);
  CHECK_EQ_INT((uintptr_t)q % TW_ARENA_ALIGN, 0);
  CHECK_EQ_INT((unsigned char *)q - (unsigned char *)p, 64);
  for (int i = 0; i < 100; ++i) CHECK_EQ_INT(((unsigned char *)q)[i], 0);
  size_t mark = a.used;
  void *r;
  CHECK_STATUS(tw_arena_take(&a, 5000, &r), TW_ERR_NOMEM);
  CHECK(strstr(tw_error_message(), "5000 requested") != NULL);
  memset(q, 7, 100);
  tw_arena_reset(&a, 64);
  CHECK_OK(tw_arena_take(&a, 100, &r));
  CHECK(r == q);
  CHECK_EQ_INT(((unsigned char *)r)[5], 0); /* re-taken memory is zeroed again */
  CHECK(a.used == mark);
  tw_arena_free(&a);
  CHECK(a.base == NULL);
}

static void tensor_views(void) {
  float buf[2 * 3 * 4];
  tw_tensor t;
  tw_device host = {TW_DEVICE_HOST, 0};
  const int64_t dims[3] = {2, 3, 4};
  CHECK_OK(tw_tensor_view(&t, buf, TW_F32, host, 3, dims));
  CHECK_EQ_INT(tw_tensor_numel(&t), 24);
  CHECK_EQ_INT(tw_tensor_bytes(&t), 96);
  CHECK_EQ_INT(t.strides[0], 12);
  CHECK_EQ_INT(t.strides[1], 4);
  CHECK_EQ_INT(t.strides[2], 1);
  CHECK(tw_tensor_is_contiguous(&t));
  t.strides[1] = 5;
  CHECK(!tw_tensor_is_contiguous(&t));
  t.strides[1] = 4;
  const int64_t want[3] = {-1, 3, 4}, bad[3] = {2, 3, 5};
  CHECK_OK(tw_tensor_expect(&t, "x", 3, want));
  CHECK_STATUS(tw_tensor_expect(&t, "x", 3, bad), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "x: expected shape (2,3,5), got (2,3,4)");
  const int64_t neg[1] = {-3};
  CHECK_STATUS(tw_tensor_view(&t, buf, TW_F32, host, 1, neg), TW_ERR_INTERNAL);
}

int main(void) {
  TW_TEST_RUN(arena_takes_aligned_zeroed);
  TW_TEST_RUN(tensor_views);
  return TW_TEST_RESULT();
}
