/*
** cuda_runtime.h (emulated): stands in for the toolkit's header when the .cu files of cuda/
** are compiled as host C++ against the CUDA emulator (tests/cuda_emu/). The
** emulator's header is force-included already; this one exists so that
** `#include <cuda_runtime.h>` finds it instead of the real toolkit's.
*/
#ifndef TW_EMU_CUDA_RUNTIME_H
#define TW_EMU_CUDA_RUNTIME_H
#include "../tw_cuda_emu.h"
#endif
