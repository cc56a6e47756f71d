/* thing.c: a src/ folder with no layer (wrong: unplaced). */
#include "core/base.h"
