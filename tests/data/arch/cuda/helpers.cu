/* helpers.cu: named after no family (wrong: unplaced). */
#include "core/base.h"
