/* table.c: backend; the first include is allowed, the second points up (wrong: upward). */
#include "backend/table.h"
#include "nn/ops.h"
