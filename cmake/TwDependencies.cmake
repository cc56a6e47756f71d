# Finds the optional dependencies and sets TW_<X>_ENABLED for each.
#
# AUTO means "use it if it is there"; ON means "fail if it is not"; OFF skips it.
function(tw_resolve name found)
  if(${name} STREQUAL "OFF")
    set(${name}_ENABLED OFF PARENT_SCOPE)
  elseif(${found})
    set(${name}_ENABLED ON PARENT_SCOPE)
  elseif(${name} STREQUAL "ON")
    message(FATAL_ERROR "${name}=ON but it was not found")
  else()
    set(${name}_ENABLED OFF PARENT_SCOPE)
  endif()
endfunction()

find_package(OpenMP COMPONENTS C)

# OpenBLAS for CPU GEMM; without it a reference GEMM is compiled in. TW_BLAS=OFF
# skips the search, so the kernels-only build (scripts/gpu-check.sh) behaves the
# same on a machine that happens to have OpenBLAS as on one that has not.
set(TW_BLAS "AUTO" CACHE STRING "OpenBLAS for CPU GEMM: AUTO, ON or OFF")
set_property(CACHE TW_BLAS PROPERTY STRINGS AUTO ON OFF)
set(TW_OPENBLAS_FOUND OFF)
if(NOT TW_BLAS STREQUAL "OFF")
  find_path(TW_CBLAS_INCLUDE cblas.h PATH_SUFFIXES openblas)
  find_library(TW_OPENBLAS_LIB NAMES openblas)
  if(TW_CBLAS_INCLUDE AND TW_OPENBLAS_LIB)
    set(TW_OPENBLAS_FOUND ON)
  endif()
endif()
tw_resolve(TW_BLAS TW_OPENBLAS_FOUND)
set(TW_OPENBLAS_ENABLED ${TW_BLAS_ENABLED})

# libyaml for configs.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(YAML QUIET IMPORTED_TARGET yaml-0.1)
endif()
if(YAML_FOUND)
  set(TW_YAML_ENABLED ON)
else()
  set(TW_YAML_ENABLED OFF)
endif()

# libsodium for federated training's secure aggregation (X25519, ChaCha20):
# optional; without it (the kernels-only build) `fed train` is not built.
if(PkgConfig_FOUND)
  pkg_check_modules(SODIUM QUIET IMPORTED_TARGET libsodium)
endif()
if(SODIUM_FOUND)
  set(TW_SODIUM_ENABLED ON)
else()
  set(TW_SODIUM_ENABLED OFF)
endif()

if(NOT TW_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS C)
endif()
tw_resolve(TW_MPI MPI_C_FOUND)

if(NOT TW_HDF5 STREQUAL "OFF")
  # Prefer the parallel flavour when MPI is on, the serial one otherwise.
  if(TW_MPI_ENABLED)
    set(HDF5_PREFER_PARALLEL TRUE)
  endif()
  find_package(HDF5 COMPONENTS C)
endif()
tw_resolve(TW_HDF5 HDF5_FOUND)
if(TW_HDF5_ENABLED AND HDF5_IS_PARALLEL AND NOT TW_MPI_ENABLED)
  # A parallel HDF5 library needs MPI headers even for serial use.
  find_package(MPI COMPONENTS C)
endif()

# CUDA: nvcc and the toolkit (cudart, cuBLAS); cuDNN and NCCL where their headers
# and libraries sit next to it (or in the usual system places). Linking is set up
# by cuda/CMakeLists.txt.
if(NOT TW_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    find_package(CUDAToolkit)
  endif()
endif()
tw_resolve(TW_CUDA CUDAToolkit_FOUND)
set(TW_CUDNN_ENABLED OFF)
set(TW_NCCL_ENABLED OFF)
if(TW_CUDA_ENABLED)
  # A100 (sm_80) and H100 (sm_90) by default; -DCMAKE_CUDA_ARCHITECTURES=native or
  # a list overrides it.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 80 90)
  endif()
  # One shared CUDA runtime for every target: cuBLAS, cuDNN and NCCL link the
  # shared libcudart, and a second (static) copy would hold separate state.
  set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  find_path(TW_CUDNN_INCLUDE cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(TW_CUDNN_LIB cudnn HINTS ${CUDAToolkit_LIBRARY_DIR})
  find_path(TW_NCCL_INCLUDE nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(TW_NCCL_LIB nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
  if(TW_CUDNN_INCLUDE AND TW_CUDNN_LIB)
    set(TW_CUDNN_ENABLED ON)
  endif()
  if(TW_NCCL_INCLUDE AND TW_NCCL_LIB)
    set(TW_NCCL_ENABLED ON)
  endif()
endif()

if(TW_CUDA_ENABLED)
  set(TW_CUDA_SUMMARY "${TW_CUDA_ENABLED} (${CUDAToolkit_VERSION}, sm ${CMAKE_CUDA_ARCHITECTURES})")
else()
  set(TW_CUDA_SUMMARY "${TW_CUDA_ENABLED}")
endif()
if(OpenMP_C_FOUND)
  set(TW_OPENMP_SUMMARY ON)
else()
  set(TW_OPENMP_SUMMARY OFF)
endif()
message(STATUS "twinscale: CUDA=${TW_CUDA_SUMMARY} cuDNN=${TW_CUDNN_ENABLED} NCCL=${TW_NCCL_ENABLED} "
               "MPI=${TW_MPI_ENABLED} HDF5=${TW_HDF5_ENABLED} OpenBLAS=${TW_OPENBLAS_ENABLED} "
               "yaml=${TW_YAML_ENABLED} sodium=${TW_SODIUM_ENABLED} OpenMP=${TW_OPENMP_SUMMARY}")
