/* table.h: backend, includes io: allowed. */
#include "io/file.h"
