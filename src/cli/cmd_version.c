/*
** cmd_version.c: `twinscale version`: what this build is and what it can use.
*/
#include <stdio.h> /* printf */

#include "backend/backend.h" /* CUDA device listing */
#include "build_info.h"      /* version and TW_HAVE_* flags */
#include "git_commit.h"      /* TW_GIT_COMMIT */
#include "cli/cli.h"
#include "cli/options.h" /* tw_opts_parse_named: no options, no arguments */
#if defined(_OPENMP)
#include <omp.h> /* omp_get_max_threads */
#endif

static const char *yes_no(int flag) { return flag ? "yes" : "no"; }

/* The CPU backend's GEMM as a model file records it (root attribute `gemm`). */
static void print_cpu_gemm(void) {
  tw_backend *be = NULL;
  if (tw_backend_cpu_create(&be) != TW_OK) return;
  char line[256];
  be->gemm_kernel(be, line, sizeof line);
  printf("CPU GEMM: %s\n", line);
  tw_backend_close(be);
}

int tw_cmd_version(int argc, char **argv) {
  int bad = tw_opts_parse_named("version", NULL, 0, argc, argv);
  if (bad) return bad;
  printf("twinscale %s (commit %s)\n", TW_VERSION_STRING, TW_GIT_COMMIT);
  printf("backends: cpu%s\n", TW_HAVE_CUDA ? ", cuda" : "");
  printf("  CUDA      %s\n  cuDNN     %s\n  NCCL      %s\n", yes_no(TW_HAVE_CUDA), yes_no(TW_HAVE_CUDNN),
         yes_no(TW_HAVE_NCCL));
  printf("  MPI       %s\n  HDF5      %s\n  OpenBLAS  %s\n  libyaml   %s\n", yes_no(TW_HAVE_MPI),
         yes_no(TW_HAVE_HDF5), yes_no(TW_HAVE_OPENBLAS), yes_no(TW_HAVE_YAML));
#if defined(_OPENMP)
  printf("  OpenMP    yes (%d threads)\n", omp_get_max_threads());
#else
  printf("  OpenMP    no\n");
#endif
  print_cpu_gemm();
  char devices[2048];
  tw_backend_cuda_describe(devices, sizeof devices);
  printf("CUDA devices: %s\n", devices[0] ? "" : (TW_HAVE_CUDA ? "none found" : "n/a (built without CUDA)"));
  if (devices[0]) printf("%s", devices);
  return 0;
}
