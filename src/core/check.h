/*
** check.h: checked calls into external libraries, recording the call site.
**
** Every CUDA, cuBLAS, cuDNN, NCCL, MPI and HDF5 call goes through one of the
** macros below (DESIGN.md invariant 4). On failure the macro records the call's
** text, the library's own description of the error and the site, then returns
** TW_ERR_LIBRARY from the enclosing function, which must return tw_status:
**
**   TW_CUDA_CHECK(cudaMemcpy(dst, src, n, cudaMemcpyDefault));
**   TW_H5_CHECK(file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
**
** Each family's macro is defined only when that library's header was included
** first, so this file can be included anywhere.
*/
#ifndef TW_CHECK_H
#define TW_CHECK_H

#include "core/status.h" /* tw_status, tw_error_set */

/* The shared shape: evaluate once, test, describe, return. `text` is the call as
** written, stringised by each family's macro before its arguments are expanded
** (so messages show H5F_ACC_TRUNC, not the number it stands for). */
#define TW_CHECK_LIB_(lib, call, text, rc_type, rc_ok, describe)                       \
  do {                                                                                  \
    rc_type tw_rc_ = (call);                                                            \
    if (!(rc_ok))                                                                       \
      return tw_error_set(TW_ERR_LIBRARY, __FILE__, __LINE__, "%s call %s failed: %s", \
                          lib, text, describe);                                         \
  } while (0)

#if defined(__CUDA_RUNTIME_H__) || defined(CUDART_VERSION)
#define TW_CUDA_CHECK(call) \
  TW_CHECK_LIB_("CUDA", call, #call, cudaError_t, tw_rc_ == cudaSuccess, cudaGetErrorString(tw_rc_))
/* After a kernel launch: the launch error, if any, is picked up here. */
#define TW_CUDA_CHECK_LAUNCH() TW_CUDA_CHECK(cudaGetLastError())
#endif

#if defined(CUBLAS_V2_H_) || defined(CUBLAS_API_H_)
#define TW_CUBLAS_CHECK(call)                                                         \
  TW_CHECK_LIB_("cuBLAS", call, #call, cublasStatus_t, tw_rc_ == CUBLAS_STATUS_SUCCESS, \
                cublasGetStatusString(tw_rc_))
#endif

#if defined(CUDNN_MAJOR)
#define TW_CUDNN_CHECK(call) \
  TW_CHECK_LIB_("cuDNN", call, #call, cudnnStatus_t, tw_rc_ == CUDNN_STATUS_SUCCESS, cudnnGetErrorString(tw_rc_))
#endif

#if defined(NCCL_MAJOR)
#define TW_NCCL_CHECK(call) \
  TW_CHECK_LIB_("NCCL", call, #call, ncclResult_t, tw_rc_ == ncclSuccess, ncclGetErrorString(tw_rc_))
#endif

#if defined(MPI_VERSION)
const char *tw_mpi_error_string(int rc);
#define TW_MPI_CHECK(call) \
  TW_CHECK_LIB_("MPI", call, #call, int, tw_rc_ == MPI_SUCCESS, tw_mpi_error_string(tw_rc_))
#endif

#if defined(H5_VERS_MAJOR)
/* HDF5 reports failure by a negative herr_t or hid_t; its own error stack is
** silenced (see io/h5.c) and summarised by tw_h5_error_string. */
const char *tw_h5_error_string(void);
#define TW_H5_CHECK(call) \
  TW_CHECK_LIB_("HDF5", call, #call, long long, tw_rc_ >= 0, tw_h5_error_string())
#endif

#endif
