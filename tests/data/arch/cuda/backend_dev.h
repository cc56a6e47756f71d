/* backend_dev.h: cuda/, backend family; includes backend: allowed. */
#include "backend/table.h"
