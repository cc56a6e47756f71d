/* dist.h: mpi, includes core: allowed. */
#include "core/base.h"
