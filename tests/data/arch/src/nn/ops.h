/* ops.h: nn, includes backend and core: allowed. */
#include "backend/table.h"
#include "core/base.h"
