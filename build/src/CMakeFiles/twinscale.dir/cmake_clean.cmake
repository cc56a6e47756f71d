file(REMOVE_RECURSE
  "CMakeFiles/twinscale.dir/backend/backend.c.o"
  "CMakeFiles/twinscale.dir/backend/backend.c.o.d"
  "CMakeFiles/twinscale.dir/backend/backend_cpu.c.o"
  "CMakeFiles/twinscale.dir/backend/backend_cpu.c.o.d"
  "CMakeFiles/twinscale.dir/backend/gemm_ref.c.o"
  "CMakeFiles/twinscale.dir/backend/gemm_ref.c.o.d"
  "CMakeFiles/twinscale.dir/core/arena.c.o"
  "CMakeFiles/twinscale.dir/core/arena.c.o.d"
  "CMakeFiles/twinscale.dir/core/clock.c.o"
  "CMakeFiles/twinscale.dir/core/clock.c.o.d"
  "CMakeFiles/twinscale.dir/core/log.c.o"
  "CMakeFiles/twinscale.dir/core/log.c.o.d"
  "CMakeFiles/twinscale.dir/core/progress.c.o"
  "CMakeFiles/twinscale.dir/core/progress.c.o.d"
  "CMakeFiles/twinscale.dir/core/random.c.o"
  "CMakeFiles/twinscale.dir/core/random.c.o.d"
  "CMakeFiles/twinscale.dir/core/status.c.o"
  "CMakeFiles/twinscale.dir/core/status.c.o.d"
  "CMakeFiles/twinscale.dir/core/tensor.c.o"
  "CMakeFiles/twinscale.dir/core/tensor.c.o.d"
  "libtwinscale.a"
  "libtwinscale.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/twinscale.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
