/*
** test_dist_serial.c: the single-process distribution layer of a build without
** MPI: rank 0 of 1 owning everything, and the chunk sum in chunk order, the
** same bits an MPI run gives (test_dist.c checks that side).
*/
#include "mpi/dist.h"
#include "tw_test.h"

static void test_one_process(void) {
  tw_dist d;
  CHECK_OK(tw_dist_init(NULL, NULL, &d));
  CHECK(!tw_dist_has_mpi());
  CHECK(d.rank == 0 && d.size == 1 && d.local_rank == 0 && d.local_size == 1 && !d.owns_mpi && !d.comm);
  CHECK_OK(tw_dist_barrier(&d));
  double v[2] = {1.5, -2.0};
  int64_t k[1] = {7};
  CHECK_OK(tw_dist_max_f64(&d, v, 2));
  CHECK_OK(tw_dist_min_f64(&d, v, 2));
  CHECK_OK(tw_dist_sum_i64(&d, k, 1));
  CHECK(v[0] == 1.5 && v[1] == -2.0 && k[0] == 7);
  CHECK_EQ_INT(tw_dist_agree(&d, TW_ERR_IO), TW_ERR_IO);
  CHECK_OK(tw_dist_bcast(&d, v, sizeof v, 0));
  CHECK_STATUS(tw_dist_bcast(&d, v, sizeof v, 1), TW_ERR_INTERNAL);
  CHECK_OK(tw_dist_finalize(&d));
}

static void test_chunk_sum(void) {
  tw_dist d;
  CHECK_OK(tw_dist_init(NULL, NULL, &d));
  /* 4 chunks of 3 twins (the last has 1): 1e16 swallows the 1.0 after it. */
  tw_partition p = tw_partition_make(10, 3, 0, 1);
  CHECK_EQ_INT(p.n_chunks, 4);
  const double rows[4] = {1e16, 1.0, -1e16, 1.0};
  double sum;
  CHECK_OK(tw_dist_sum_chunks_f64(&d, &p, rows, 1, &sum));
  CHECK(sum == 1.0); /* ((0 + 1e16) + 1) - 1e16 + 1, in that order */
  /* A partition meant for rank 1 of 2 is not this process's. */
  tw_partition half = tw_partition_make(10, 3, 1, 2);
  CHECK_STATUS(tw_dist_sum_chunks_f64(&d, &half, rows, 1, &sum), TW_ERR_INTERNAL);
  CHECK_OK(tw_dist_finalize(&d));
}

int main(void) {
  TW_TEST_RUN(test_one_process);
  TW_TEST_RUN(test_chunk_sum);
  return TW_TEST_RESULT();
}
