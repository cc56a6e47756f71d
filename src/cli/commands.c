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
    /* tw-commands: new entries go above this line */
    {NULL, NULL, NULL, NULL, NULL},
};
