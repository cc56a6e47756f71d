/* file_internal.h: private to src/io/. */
#include "core/base.h"
