/* engine.h: run; nn and physio are below it, the CLI is above it (wrong: upward). */
#include "nn/ops.h"
#include "physio/pmath.h"
#include "cli/cli.h"
