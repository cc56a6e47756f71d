# TwGitCommit.cmake: writes OUT (git_commit.h, from src/core/git_commit.h.in)
# with the source tree's current commit. Run at every build by the
# tw_git_commit target, not only at configure time; configure_file leaves the
# file untouched when the commit is unchanged, so a new commit recompiles the
# three files that record it and nothing else.
#   cmake -DSRC=<source dir> -DOUT=<file> -P TwGitCommit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE TW_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT TW_GIT_COMMIT)
  set(TW_GIT_COMMIT "unknown")
endif()
configure_file(${SRC}/src/core/git_commit.h.in ${OUT} @ONLY)
