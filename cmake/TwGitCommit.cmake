# TwGitCommit.cmake: writes OUT (git_commit.h) with the source tree's current
# commit, run at every build (not only at configure time), and rewrites the file
# only when the commit changed, so that a new commit recompiles the three files
# that record it and nothing else. Invoked by the tw_git_commit target:
#   cmake -DSRC=<source dir> -DOUT=<file> -P TwGitCommit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
set(text "/* git_commit.h: the commit this binary was built from (generated at build time). */\n#define TW_GIT_COMMIT \"${commit}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
