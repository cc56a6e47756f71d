
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/backend/backend.c" "src/CMakeFiles/twinscale.dir/backend/backend.c.o" "gcc" "src/CMakeFiles/twinscale.dir/backend/backend.c.o.d"
  "/work/main/src/backend/backend_cpu.c" "src/CMakeFiles/twinscale.dir/backend/backend_cpu.c.o" "gcc" "src/CMakeFiles/twinscale.dir/backend/backend_cpu.c.o.d"
  "/work/main/src/backend/gemm_ref.c" "src/CMakeFiles/twinscale.dir/backend/gemm_ref.c.o" "gcc" "src/CMakeFiles/twinscale.dir/backend/gemm_ref.c.o.d"
  "/work/main/src/core/arena.c" "src/CMakeFiles/twinscale.dir/core/arena.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/arena.c.o.d"
  "/work/main/src/core/clock.c" "src/CMakeFiles/twinscale.dir/core/clock.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/clock.c.o.d"
  "/work/main/src/core/log.c" "src/CMakeFiles/twinscale.dir/core/log.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/log.c.o.d"
  "/work/main/src/core/progress.c" "src/CMakeFiles/twinscale.dir/core/progress.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/progress.c.o.d"
  "/work/main/src/core/random.c" "src/CMakeFiles/twinscale.dir/core/random.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/random.c.o.d"
  "/work/main/src/core/status.c" "src/CMakeFiles/twinscale.dir/core/status.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/status.c.o.d"
  "/work/main/src/core/tensor.c" "src/CMakeFiles/twinscale.dir/core/tensor.c.o" "gcc" "src/CMakeFiles/twinscale.dir/core/tensor.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
