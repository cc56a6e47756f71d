/*
** test_dist_nolauncher.c: the MPI build started without a launcher (unit).
**
** Run plainly, the MPI layer must not initialise MPI (its singleton start is
** most of a small run's time): one process, rank 0 of 1, no communicator, and
** every entry usable, the chunk sum in chunk order. Run with the argument
** "forced" under TWINSCALE_MPI=1 (a second ctest), it must initialise MPI as a
** singleton and still be rank 0 of 1, then finalize what it started.
*/
#include <mpi.h>    /* MPI_Initialized, MPI_Finalized */
#include <string.h> /* strcmp */

#include "mpi/dist.h"
#include "tw_test.h"

static int forced; /* argv[1] == "forced": TWINSCALE_MPI=1 in the environment */

static void test_init(void) {
  tw_dist d;
  CHECK_EQ_INT(tw_dist_launched(), forced);
  CHECK_OK(tw_dist_init(NULL, NULL, &d));
  int running = -1;
  MPI_Initialized(&running);
  CHECK_EQ_INT(running, forced);
  CHECK_EQ_INT(d.owns_mpi, forced);
  CHECK(d.rank == 0 && d.size == 1 && d.local_rank == 0 && d.local_size == 1);
  CHECK((d.comm != NULL) == forced);
  /* the entries work on one process: a chunk sum in chunk order, identities elsewhere */
  tw_partition p = tw_partition_make(10, 3, 0, 1);
  const double rows[4] = {1e16, 1.0, -1e16, 1.0};
  double sum = 0, v[1] = {2.5};
  int64_t k[1] = {7};
  CHECK_OK(tw_dist_sum_chunks_f64(&d, &p, rows, 1, &sum));
  CHECK(sum == 1.0);
  CHECK_OK(tw_dist_max_f64(&d, v, 1));
  CHECK_OK(tw_dist_sum_i64(&d, k, 1));
  CHECK(v[0] == 2.5 && k[0] == 7);
  CHECK_OK(tw_dist_barrier(&d));
  CHECK_OK(tw_dist_bcast(&d, v, sizeof v, 0));
  CHECK_EQ_INT(tw_dist_agree(&d, TW_ERR_IO), TW_ERR_IO);
  tw_error_clear();
  CHECK_OK(tw_dist_finalize(&d));
  int finalized = -1;
  MPI_Finalized(&finalized);
  CHECK_EQ_INT(finalized, forced);
}

int main(int argc, char **argv) {
  forced = argc > 1 && !strcmp(argv[1], "forced");
  TW_TEST_RUN(test_init);
  return TW_TEST_RESULT();
}
