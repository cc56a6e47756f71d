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

# OpenBLAS for CPU GEMM; without it a reference GEMM is compiled in.
find_path(TW_CBLAS_INCLUDE cblas.h PATH_SUFFIXES openblas)
find_library(TW_OPENBLAS_LIB NAMES openblas)
if(TW_CBLAS_INCLUDE AND TW_OPENBLAS_LIB)
  set(TW_OPENBLAS_ENABLED ON)
else()
  set(TW_OPENBLAS_ENABLED OFF)
endif()

# libyaml for configs.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(YAML QUIET IMPORTED_TARGET yaml-0.1)
endif()
set(TW_YAML_ENABLED ${YAML_FOUND})

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

if(NOT TW_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    find_package(CUDAToolkit)
  endif()
endif()
tw_resolve(TW_CUDA CUDAToolkit_FOUND)
if(TW_CUDA_ENABLED)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 80 90)
  endif()
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  find_path(TW_CUDNN_INCLUDE cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(TW_CUDNN_LIB cudnn HINTS ${CUDAToolkit_LIBRARY_DIR})
  find_path(TW_NCCL_INCLUDE nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(TW_NCCL_LIB nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
  if(TW_CUDNN_INCLUDE AND TW_CUDNN_LIB)
    set(TW_CUDNN_ENABLED ON)
  else()
    set(TW_CUDNN_ENABLED OFF)
  endif()
  if(TW_NCCL_INCLUDE AND TW_NCCL_LIB)
    set(TW_NCCL_ENABLED ON)
  else()
    set(TW_NCCL_ENABLED OFF)
  endif()
endif()

message(STATUS "twinscale: CUDA=${TW_CUDA_ENABLED} cuDNN=${TW_CUDNN_ENABLED} NCCL=${TW_NCCL_ENABLED} "
               "MPI=${TW_MPI_ENABLED} HDF5=${TW_HDF5_ENABLED} OpenBLAS=${TW_OPENBLAS_ENABLED} "
               "yaml=${TW_YAML_ENABLED} OpenMP=${OpenMP_C_FOUND}")
