/*
** commands.c: the table of twinscale commands, in the order --help lists them.
**
** Entries that need an optional part of the build are guarded by its flag, so a
** command is either present and working or absent.
*/
#include "cli/cli.h"

#include "build_info.h" /* TW_HAVE_* flags guarding entries */

const tw_command tw_commands[] = {
    {NULL, "version", "show version, commit, compiled-in backends and devices",
     "usage: twinscale version\n\n"
     "Prints the twinscale version and git commit, the optional parts compiled in\n"
     "(CUDA, cuDNN, NCCL, MPI, HDF5, OpenBLAS, libyaml, OpenMP) and the CUDA devices found.\n",
     tw_cmd_version},
    {"bench", "gemm", "time a large square GEMM: the machine's measured GEMM ceiling",
     "usage: twinscale bench gemm [--backend cpu|cuda] [--dtype f32|f64] [--math fp32|tf32|bf16]\n"
     "                            [--size N] [--repeats R] [--device I]\n\n"
     "Times C = A B for square N x N matrices through the backend's GEMM (OpenBLAS or the\n"
     "reference GEMM on the CPU, cuBLAS on a GPU): 2 warm-up products, then R timed ones,\n"
     "each synchronised; prints the median time and 2 N^3 / median in GFLOP/s on its last\n"
     "line. 64 random entries of C are checked against float64 dot products first.\n\n"
     "  --backend  cpu (default) or cuda\n"
     "  --dtype    f32 (default) or f64\n"
     "  --math     fp32 (default); tf32 or bf16 tensor-core modes (cuda, f32 only)\n"
     "  --size     N (default 2048 on cpu, 4096 on cuda)\n"
     "  --repeats  R timed products (default 5 on cpu, 20 on cuda)\n"
     "  --device   CUDA device index (default 0)\n",
     tw_cmd_bench_gemm},
#if TW_HAVE_YAML
    {"config", "check", "validate a config of any kind and print it normalised",
     "usage: twinscale config check FILE\n\n"
     "Reads the YAML config FILE, finds its kind (its `kind:` key, or a key only that kind\n"
     "has), checks every key, type, range and required key against that kind's schema, and\n"
     "prints the config normalised: every key in schema order, defaults filled in, units as\n"
     "comments. The output is itself a valid config. Any problem is one line naming\n"
     "FILE:LINE:COLUMN, and the exit status is 2. Conventions: docs/configs.md.\n",
     tw_cmd_config_check},
#endif
    /* tw-commands: new entries go above this line */
    {NULL, NULL, NULL, NULL, NULL},
};
