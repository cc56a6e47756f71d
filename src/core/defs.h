/*
** defs.h: the few macros every twinscale source shares.
**
** TW_HD marks pointwise math that both the CPU loops and the CUDA kernels call
** (DESIGN.md invariant 1): under nvcc it expands to __host__ __device__, in C to
** nothing. Headers that hold TW_HD functions must compile as C17 and as CUDA C++,
** so they avoid C-only syntax (designated initialisers, compound literals,
** `restrict`; use TW_RESTRICT) and wrap declarations in TW_EXTERN_C_BEGIN/END.
*/
#ifndef TW_DEFS_H
#define TW_DEFS_H

#include <stddef.h>  /* size_t */
#include <stdint.h>  /* fixed-width integers for ids, counters and keys */

#if defined(__CUDACC__)
#define TW_HD __host__ __device__ __forceinline__
#define TW_RESTRICT __restrict__
#else
#define TW_HD static inline
#define TW_RESTRICT restrict
#endif

#ifdef __cplusplus
#define TW_EXTERN_C_BEGIN extern "C" {
#define TW_EXTERN_C_END }
#else
#define TW_EXTERN_C_BEGIN
#define TW_EXTERN_C_END
#endif

#define TW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TW_MAX(a, b) ((a) > (b) ? (a) : (b))
/* a rounded up to a whole multiple of m (> 0) */
#define TW_ROUND_UP(a, m) (((a) + (m) - 1) / (m) * (m))

#if defined(__GNUC__)
#define TW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define TW_NODISCARD __attribute__((warn_unused_result))
#else
#define TW_PRINTF(fmt, args)
#define TW_NODISCARD
#endif

#endif
