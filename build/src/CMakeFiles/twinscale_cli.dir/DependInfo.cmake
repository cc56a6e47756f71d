
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/cli/cmd_version.c" "src/CMakeFiles/twinscale_cli.dir/cli/cmd_version.c.o" "gcc" "src/CMakeFiles/twinscale_cli.dir/cli/cmd_version.c.o.d"
  "/work/main/src/cli/commands.c" "src/CMakeFiles/twinscale_cli.dir/cli/commands.c.o" "gcc" "src/CMakeFiles/twinscale_cli.dir/cli/commands.c.o.d"
  "/work/main/src/cli/main.c" "src/CMakeFiles/twinscale_cli.dir/cli/main.c.o" "gcc" "src/CMakeFiles/twinscale_cli.dir/cli/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/src/CMakeFiles/twinscale.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
