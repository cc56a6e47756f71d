/*
** test_cuda_comm.c: the CUDA backend's device collectives (comm_id, comm_init,
** allgather; NCCL) on one GPU, as far as one process can take them (gpu).
**
** Data-parallel training gathers its gradient rows between GPUs with these
** entries (src/train/train_loop.c); a real gather needs two ranks on two GPUs,
** which neither this machine nor scripts/gpu-check.sh has (one GPU, no MPI, and
** NCCL refuses two ranks on one device). What one process can check, it does:
**   - the CPU backend has none of the three, and the CUDA backend has all three
**     exactly when the build has NCCL (TW_HAVE_NCCL; the emulator's build has
**     none, so under it, label emu, only this part runs);
**   - with NCCL: two ids differ (each names a fresh communicator); allgather
**     before comm_init is refused, naming why; a communicator of one rank is
**     joined; a second comm_init is refused; a one-rank gather copies the send
**     bytes to recv, out of place (recv poisoned first) and in place (recv
**     unchanged); the backend is closed with its communicator.
*/
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcmp, memset, strstr */

#include "backend/backend.h" /* both backends, TW_COMM_ID_BYTES */
#include "build_info.h"      /* TW_HAVE_NCCL */
#include "gpu_skip.h"        /* tw_test_cuda_or_skip */
#include "tw_test.h"

static tw_backend *cpu, *gpu;

static int has_comm(const tw_backend *be) { return be->comm_id && be->comm_init && be->allgather; }
static int has_none(const tw_backend *be) { return !be->comm_id && !be->comm_init && !be->allgather; }

static void test_entries_present_as_built(void) {
  CHECK_MSG(has_none(cpu), "the CPU backend has device collectives");
  if (TW_HAVE_NCCL) CHECK_MSG(has_comm(gpu), "a build with NCCL lacks some of comm_id, comm_init, allgather");
  else CHECK_MSG(has_none(gpu), "a build without NCCL has device collectives");
}

/* n bytes of a recognisable pattern. */
static unsigned char *pattern(size_t n, unsigned salt) {
  unsigned char *p = malloc(n);
  if (p)
    for (size_t i = 0; i < n; ++i) p[i] = (unsigned char)(i * 131u + salt);
  return p;
}

/* A one-rank gather of n bytes from send into recv (both device buffers), recv
** read back and compared with want. */
static void check_gather(const void *d_send, void *d_recv, size_t n, const unsigned char *want, const char *what) {
  unsigned char *got = malloc(n);
  CHECK(got != NULL);
  CHECK_OK(gpu->allgather(gpu, d_send, d_recv, n));
  CHECK_OK(gpu->copy(gpu, got, d_recv, n, TW_COPY_DEVICE_TO_HOST));
  CHECK_MSG(!memcmp(got, want, n), "one-rank allgather %s: recv is not the send bytes", what);
  free(got);
}

static void test_one_rank_communicator(void) {
  if (!has_comm(gpu)) {
    fprintf(stderr, "  no NCCL in this build: no communicator to check\n");
    return;
  }
  unsigned char id[TW_COMM_ID_BYTES], other[TW_COMM_ID_BYTES];
  CHECK_OK(gpu->comm_id(gpu, id));
  CHECK_OK(gpu->comm_id(gpu, other));
  CHECK_MSG(memcmp(id, other, sizeof id) != 0, "two comm_id calls gave the same id");
  const size_t n = 100003; /* odd: no alignment to lean on */
  unsigned char *send = pattern(n, 7);
  void *d_send = NULL, *d_recv = NULL;
  CHECK(send != NULL);
  CHECK_OK(gpu->alloc(gpu, n, &d_send));
  CHECK_OK(gpu->alloc(gpu, n, &d_recv));
  CHECK_OK(gpu->copy(gpu, d_send, send, n, TW_COPY_HOST_TO_DEVICE));
  CHECK_STATUS(gpu->allgather(gpu, d_send, d_recv, n), TW_ERR_INTERNAL);
  CHECK_MSG(strstr(tw_error_message(), "before comm_init") != NULL, "got: %s", tw_error_message());
  tw_error_clear();
  CHECK_OK(gpu->comm_init(gpu, id, 0, 1));
  CHECK_STATUS(gpu->comm_init(gpu, other, 0, 1), TW_ERR_INTERNAL);
  CHECK_MSG(strstr(tw_error_message(), "already") != NULL, "got: %s", tw_error_message());
  tw_error_clear();
  CHECK_OK(gpu->fill_bytes(gpu, d_recv, 0xFF, n));
  check_gather(d_send, d_recv, n, send, "out of place");
  check_gather(d_send, d_send, n, send, "in place");
  CHECK_OK(gpu->free(gpu, d_send));
  CHECK_OK(gpu->free(gpu, d_recv));
  free(send);
}

int main(void) {
  tw_test_cuda_or_skip();
  if (tw_backend_open("cpu", 0, &cpu) != TW_OK || tw_backend_open("cuda", 0, &gpu) != TW_OK) {
    fprintf(stderr, "FAIL: opening the backends: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_entries_present_as_built);
  TW_TEST_RUN(test_one_rank_communicator);
  tw_backend_close(gpu); /* leaves the communicator: a failure is logged */
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
