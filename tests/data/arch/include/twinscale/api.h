/* api.h: public; another public header is allowed, core is not (wrong: public). */
#include "twinscale/api_types.h"
#include "core/base.h"
