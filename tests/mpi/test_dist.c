/*
** test_dist.c: the MPI distribution layer, run by ctest on 2 and 4 ranks.
**
** Checks: init gives consistent ranks and node-local ranks; every rank's view
** of the partition agrees with every other's (owned ranges gathered and
** compared); the deterministic chunk sum gives the same bits on this many
** ranks, on one rank, and in a serial chunk-order loop, on values where the
** summation order matters; max/min/sum_i64;
** agree() spreads the first failure with its message.
*/
#include <mpi.h>    /* MPI_Allgather, to compare ranks' views independently of the layer */
#include <string.h> /* strstr */

#include "mpi/dist.h"
#include "mpi/dist_comm.h" /* tw_dist_comm */
#include "tw_test.h"

static tw_dist dist;

static void test_init(void) {
  CHECK(tw_dist_has_mpi());
  int world_rank, world_size;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  CHECK_EQ_INT(dist.rank, world_rank);
  CHECK_EQ_INT(dist.size, world_size);
  CHECK(dist.size >= 2);
  CHECK(dist.owns_mpi);
  /* All ranks of a ctest run share this machine: node-local equals world. */
  CHECK_EQ_INT(dist.local_size, dist.size);
  CHECK_EQ_INT(dist.local_rank, dist.rank);
  /* A second init sees MPI running and does not own it. */
  tw_dist again;
  CHECK_OK(tw_dist_init(NULL, NULL, &again));
  CHECK(!again.owns_mpi);
  CHECK_EQ_INT(again.rank, dist.rank);
  CHECK_OK(tw_dist_finalize(&again));
  CHECK_OK(tw_dist_barrier(&dist));
}

static void test_partition_consistent(void) {
  const int64_t sizes[] = {0, 1, TW_DEFAULT_CHUNK - 1, TW_DEFAULT_CHUNK, TW_DEFAULT_CHUNK + 1, 1000003};
  for (size_t i = 0; i < TW_ARRAY_LEN(sizes); ++i) {
    tw_partition p = tw_partition_make(sizes[i], TW_DEFAULT_CHUNK, dist.rank, dist.size);
    int64_t mine[2] = {p.id_begin, p.id_end}, all[2 * 16];
    CHECK(dist.size <= 16);
    MPI_Allgather(mine, 2, MPI_INT64_T, all, 2, MPI_INT64_T, MPI_COMM_WORLD);
    CHECK_EQ_INT(all[0], 0);
    for (int r = 1; r < dist.size; ++r) CHECK_EQ_INT(all[2 * r], all[2 * r - 1]); /* no gap, no overlap */
    CHECK_EQ_INT(all[2 * dist.size - 1], sizes[i]);
    for (int r = 0; r < dist.size; ++r) {
      /* What this rank computes for rank r is what rank r computed for itself. */
      tw_partition q = tw_partition_make(sizes[i], TW_DEFAULT_CHUNK, r, dist.size);
      CHECK_EQ_INT(q.id_begin, all[2 * r]);
      CHECK_EQ_INT(q.id_end, all[2 * r + 1]);
    }
  }
}

/* Per-chunk partial sums whose total depends on the order of addition: a huge
** first chunk swallows the small ones added after it (1e16 + 1 rounds back to
** 1e16) until the middle chunk cancels it. In chunk order the first half of the
** small values vanishes (38 chunks, column 0: 18); added in reverse the sum is
** 20, and summed per rank first it differs again (0 on 2 ranks). */
static double chunk_value(int64_t c, int64_t n_chunks, int w) {
  if (c == 0) return 1e16 * (w + 1);
  if (c == n_chunks / 2) return -1e16 * (w + 1);
  return 1.0 + 0.25 * w;
}

static void test_deterministic_sum(void) {
  enum { WIDTH = 3 };
  const int64_t n = 37 * 7 + 5; /* 38 chunks of 7: uneven over 2 and 4 ranks */
  tw_partition p = tw_partition_make(n, 7, dist.rank, dist.size);
  double local[38 * WIDTH], all[38 * WIDTH];
  for (int64_t c = p.chunk_begin; c < p.chunk_end; ++c)
    for (int w = 0; w < WIDTH; ++w) local[(c - p.chunk_begin) * WIDTH + w] = chunk_value(c, p.n_chunks, w);
  double global[WIDTH];
  CHECK_OK(tw_dist_sum_chunks_f64(&dist, &p, local, WIDTH, global));
  /* The serial reference, written out here rather than through the library. */
  double expected[WIDTH] = {0, 0, 0};
  for (int64_t c = 0; c < p.n_chunks; ++c)
    for (int w = 0; w < WIDTH; ++w) {
      all[c * WIDTH + w] = chunk_value(c, p.n_chunks, w);
      expected[w] += all[c * WIDTH + w];
    }
  for (int w = 0; w < WIDTH; ++w)
    CHECK_MSG(memcmp(&global[w], &expected[w], sizeof(double)) == 0, "column %d: %.17g vs serial %.17g", w,
              global[w], expected[w]);
  /* The layer itself on one rank (this process alone, over MPI_COMM_SELF) gives the same bits. */
  MPI_Comm self = MPI_COMM_SELF;
  tw_dist alone = {0, 1, 0, 1, 0, &self};
  tw_partition whole = tw_partition_make(n, 7, 0, 1);
  double one_rank[WIDTH];
  CHECK_OK(tw_dist_sum_chunks_f64(&alone, &whole, all, WIDTH, one_rank));
  CHECK(memcmp(one_rank, global, sizeof global) == 0);
  CHECK(global[0] == 18.0); /* the 18 ones after the cancelling chunk 19 survive, the 18 before do not */
  /* And the order matters for these values: summing per rank first differs. */
  double by_rank = 0;
  for (int r = 0; r < dist.size; ++r) {
    tw_partition q = tw_partition_make(n, 7, r, dist.size);
    double partial = 0;
    for (int64_t c = q.chunk_begin; c < q.chunk_end; ++c) partial += all[c * WIDTH];
    by_rank += partial;
  }
  CHECK_MSG(by_rank != expected[0], "test values do not exercise the summation order (%.17g)", by_rank);
  /* A zero-twin cohort sums to zero. */
  tw_partition empty = tw_partition_make(0, 7, dist.rank, dist.size);
  CHECK_OK(tw_dist_sum_chunks_f64(&dist, &empty, local, WIDTH, global));
  CHECK(global[0] == 0 && global[1] == 0 && global[2] == 0);
}

static void test_extrema_and_counts(void) {
  double hi[2] = {(double)dist.rank, -(double)dist.rank}, lo[2] = {(double)dist.rank, -(double)dist.rank};
  CHECK_OK(tw_dist_max_f64(&dist, hi, 2));
  CHECK_OK(tw_dist_min_f64(&dist, lo, 2));
  CHECK(hi[0] == dist.size - 1 && hi[1] == 0);
  CHECK(lo[0] == 0 && lo[1] == -(dist.size - 1));
  int64_t counts[2] = {(int64_t)1 << 40, dist.rank};
  CHECK_OK(tw_dist_sum_i64(&dist, counts, 2));
  CHECK_EQ_INT(counts[0], ((int64_t)1 << 40) * dist.size);
  CHECK_EQ_INT(counts[1], (int64_t)dist.size * (dist.size - 1) / 2);
  char text[16] = "";
  if (dist.rank == 1) strcpy(text, "from rank 1");
  CHECK_OK(tw_dist_bcast(&dist, text, sizeof text, 1));
  CHECK_EQ_STR(text, "from rank 1");
}

static void test_agree(void) {
  CHECK_EQ_INT(tw_dist_agree(&dist, TW_OK), TW_OK);
  /* Ranks 1 and the last fail with different codes: everyone gets rank 1's. */
  tw_status local = TW_OK;
  if (dist.rank == 1) local = TW_FAIL(TW_ERR_NUMERIC, "twin 42 diverged");
  if (dist.rank == dist.size - 1 && dist.rank != 1) local = TW_FAIL(TW_ERR_IO, "disk full");
  tw_status agreed = tw_dist_agree(&dist, local);
  CHECK_EQ_INT(agreed, TW_ERR_NUMERIC);
  CHECK_MSG(strstr(tw_error_message(), "twin 42 diverged") != NULL, "message: %s", tw_error_message());
  if (dist.rank != 1) CHECK_MSG(strstr(tw_error_message(), "rank 1: ") != NULL, "message: %s", tw_error_message());
  tw_error_clear();
}

int main(int argc, char **argv) {
  if (tw_dist_init(&argc, &argv, &dist) != TW_OK) {
    fprintf(stderr, "tw_dist_init: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_init);
  TW_TEST_RUN(test_partition_consistent);
  TW_TEST_RUN(test_deterministic_sum);
  TW_TEST_RUN(test_extrema_and_counts);
  TW_TEST_RUN(test_agree);
  /* A rank that failed makes every rank fail, so mpiexec reports it once. */
  int failed = TW_TEST_RESULT(), any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, tw_dist_comm(&dist));
  tw_dist_finalize(&dist);
  return any;
}
