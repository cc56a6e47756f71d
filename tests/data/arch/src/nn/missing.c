/* missing.c: nn, names a header that does not exist (wrong: unresolved). */
#include "nn/ops.h"
#include "nn/not_there.h"
