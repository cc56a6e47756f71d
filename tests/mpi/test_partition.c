/*
** test_partition.c: the chunk partition of twin ids (DESIGN.md invariant 3),
** checked by arithmetic alone, for every rank count 1..8 and the cohort sizes
** where off-by-one errors live: 0, 1, chunk-1, chunk, chunk+1, 10^6+3.
**
** For each (n, size) every id must be owned by exactly one rank, ranks must own
** contiguous id ranges in rank order, chunk boundaries must not depend on the
** rank count, and chunk counts per rank may differ by at most one. Also the
** chunk-order sum on values where the order of additions changes the result.
*/
#include <stdlib.h> /* calloc */

#include "mpi/dist.h" /* tw_partition_make, tw_sum_chunk_rows_f64 */
#include "tw_test.h"

static void check_cover(int64_t n, int64_t chunk, int size) {
  /* Owner count per id, for exact-once coverage (n is at most 10^6+3). */
  unsigned char *owners = calloc((size_t)(n > 0 ? n : 1), 1);
  CHECK(owners);
  int64_t next_id = 0, next_chunk = 0, min_chunks = INT64_MAX, max_chunks = 0;
  for (int r = 0; r < size; ++r) {
    tw_partition p = tw_partition_make(n, chunk, r, size);
    CHECK_EQ_INT(p.n_twins, n);
    CHECK_EQ_INT(p.n_chunks, (n + chunk - 1) / chunk);
    CHECK_EQ_INT(p.chunk_begin, next_chunk); /* contiguous, in rank order */
    CHECK_EQ_INT(p.id_begin, next_id);
    CHECK(p.chunk_end >= p.chunk_begin && p.id_end >= p.id_begin);
    min_chunks = TW_MIN(min_chunks, p.chunk_end - p.chunk_begin);
    max_chunks = TW_MAX(max_chunks, p.chunk_end - p.chunk_begin);
    for (int64_t c = p.chunk_begin; c < p.chunk_end; ++c) {
      int64_t b, e;
      tw_partition_chunk_ids(&p, c, &b, &e);
      /* Fixed-size chunks: chunk c is [c*chunk, min((c+1)*chunk, n)) whatever the rank count. */
      CHECK_EQ_INT(b, c * chunk);
      CHECK_EQ_INT(e, TW_MIN((c + 1) * chunk, n));
      CHECK(e > b);
    }
    for (int64_t id = p.id_begin; id < p.id_end; ++id) owners[id]++;
    next_id = p.id_end;
    next_chunk = p.chunk_end;
  }
  CHECK_EQ_INT(next_id, n);
  CHECK_EQ_INT(next_chunk, (n + chunk - 1) / chunk);
  CHECK(max_chunks - min_chunks <= 1);
  for (int64_t id = 0; id < n; ++id) CHECK_MSG(owners[id] == 1, "n=%lld size=%d: id %lld owned %d times",
                                               (long long)n, size, (long long)id, owners[id]);
  free(owners);
}

static void test_cover_all_sizes(void) {
  const int64_t chunk = TW_DEFAULT_CHUNK;
  const int64_t sizes[] = {0, 1, chunk - 1, chunk, chunk + 1, 1000003};
  for (size_t i = 0; i < TW_ARRAY_LEN(sizes); ++i)
    for (int size = 1; size <= 8; ++size) {
      check_cover(sizes[i], chunk, size);
      if (tw_test_case_failed_) {
        fprintf(stderr, "  (n=%lld, ranks=%d)\n", (long long)sizes[i], size);
        return;
      }
    }
}

static void test_small_chunks_more_ranks_than_chunks(void) {
  /* 3 chunks over 8 ranks: five ranks own nothing, and still cover exactly. */
  check_cover(5, 2, 8);
  check_cover(7, 1, 8);
  check_cover(1000003, 1, 7);
}

static void test_huge_cohort_no_overflow(void) {
  /* r * n_chunks would overflow int64 here; the split must not. */
  const int64_t n = INT64_MAX / 2;
  tw_partition last = tw_partition_make(n, 1, 7, 8);
  CHECK_EQ_INT(last.id_end, n);
  tw_partition first = tw_partition_make(n, 1, 0, 8);
  tw_partition second = tw_partition_make(n, 1, 1, 8);
  CHECK_EQ_INT(first.id_end, second.id_begin);
  CHECK_EQ_INT(first.id_end, n / 8);
}

static void test_chunk_order_sum(void) {
  /* (0 + 1e16) + 1 + -1e16 + 1 = 1 in this order (1e16 + 1 rounds back to 1e16),
  ** whereas summing the small values first would give 2: the order is the contract. */
  const double rows[] = {1e16, 3.0, 1.0, 0.5, -1e16, 0.25, 1.0, -4.0};
  double out[2];
  tw_sum_chunk_rows_f64(rows, 4, 2, out);
  CHECK(out[0] == 1.0);
  CHECK(out[1] == -0.25);
  tw_sum_chunk_rows_f64(rows, 0, 2, out);
  CHECK(out[0] == 0.0 && out[1] == 0.0);
}

int main(void) {
  TW_TEST_RUN(test_cover_all_sizes);
  TW_TEST_RUN(test_small_chunks_more_ranks_than_chunks);
  TW_TEST_RUN(test_huge_cohort_no_overflow);
  TW_TEST_RUN(test_chunk_order_sum);
  return TW_TEST_RESULT();
}
