/* nn_kernel.cu: cuda/, nn family; backend and nn are allowed, io's private header is not (wrong: private). */
#include "backend_dev.h"
#include "nn/ops.h"
#include "io/file_internal.h"
