/* cli.h: cli, on top: includes anything below. */
#include "run/engine.h"
#include "nn/ops.h"
