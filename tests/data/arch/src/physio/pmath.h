/* pmath.h: physio, includes core and a public header: allowed. */
#include "core/base.h"
#include "twinscale/api_types.h"
#include <twinscale/api_types.h>
