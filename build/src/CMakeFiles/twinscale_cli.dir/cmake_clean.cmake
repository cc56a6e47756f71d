file(REMOVE_RECURSE
  "../twinscale"
  "../twinscale.pdb"
  "CMakeFiles/twinscale_cli.dir/cli/cmd_version.c.o"
  "CMakeFiles/twinscale_cli.dir/cli/cmd_version.c.o.d"
  "CMakeFiles/twinscale_cli.dir/cli/commands.c.o"
  "CMakeFiles/twinscale_cli.dir/cli/commands.c.o.d"
  "CMakeFiles/twinscale_cli.dir/cli/main.c.o"
  "CMakeFiles/twinscale_cli.dir/cli/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/twinscale_cli.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
