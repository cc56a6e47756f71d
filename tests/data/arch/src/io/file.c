/* file.c: io, includes its own header, mpi, core, a generated core header and its own private header: all allowed. */
#include "io/file.h"
#include "mpi/dist.h"
#include "core/base.h"
#include "info.h"
#include "io/file_internal.h"
#include <stdio.h>
