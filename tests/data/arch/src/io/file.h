/* file.h: io's public side, includes mpi: allowed. */
#include "mpi/dist.h"
