# expect_exit.cmake: runs a command and checks how it ends (ctest driver).
#
#   cmake -DCMD="prog;arg;..." -DEXPECT_RC=2 [-DEXPECT_NOT="0;77"] [-DEXPECT_LINES=1]
#         [-DEXPECT_ERR=regex] [-DEXPECT_ERR_NOT=regex] [-DENV="K=V;..."] [-DCOPY_TO=dir]
#         -P expect_exit.cmake
#
# EXPECT_RC: the exit code wanted; EXPECT_NOT: codes that fail the test (for "must
# fail, not skip"); EXPECT_ERR: a regex stderr must match; EXPECT_LINES: how many
# lines stderr must have; EXPECT_ERR_NOT: a regex stderr must not match. COPY_TO copies the program (first word of CMD) into
# that fresh directory first and runs the copy (a binary with nothing beside it).
# SKIP_IF_OUT: a regex; when the output of SKIP_PROBE (a command) matches it,
# print "SKIP: ..." and stop (the test sets SKIP_REGULAR_EXPRESSION "SKIP:").
if(SKIP_PROBE)
  execute_process(COMMAND ${SKIP_PROBE} OUTPUT_VARIABLE probe_out ERROR_VARIABLE probe_err)
  if("${probe_out}${probe_err}" MATCHES "${SKIP_IF_OUT}")
    message("SKIP: ${SKIP_IF_OUT} found by ${SKIP_PROBE}")
    return()
  endif()
endif()
list(GET CMD 0 prog)
if(COPY_TO)
  file(REMOVE_RECURSE ${COPY_TO})
  file(MAKE_DIRECTORY ${COPY_TO})
  file(COPY ${prog} DESTINATION ${COPY_TO})
  get_filename_component(name ${prog} NAME)
  list(REMOVE_AT CMD 0)
  list(PREPEND CMD ${COPY_TO}/${name})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env ${ENV} ${CMD}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("exit ${rc}\n--- stdout\n${out}--- stderr\n${err}---")
if(DEFINED EXPECT_RC AND NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_RC}")
endif()
foreach(bad ${EXPECT_NOT})
  if(rc EQUAL bad)
    message(FATAL_ERROR "exit code ${rc}: must not be one of ${EXPECT_NOT}")
  endif()
endforeach()
if(EXPECT_ERR AND NOT err MATCHES "${EXPECT_ERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_ERR}'")
endif()
if(EXPECT_ERR_NOT AND err MATCHES "${EXPECT_ERR_NOT}")
  message(FATAL_ERROR "stderr matches '${EXPECT_ERR_NOT}': ${CMAKE_MATCH_0}")
endif()
if(DEFINED EXPECT_LINES)
  string(REGEX MATCHALL "\n" newlines "${err}")
  list(LENGTH newlines n)
  if(NOT n EQUAL EXPECT_LINES)
    message(FATAL_ERROR "stderr has ${n} lines, expected ${EXPECT_LINES}")
  endif()
endif()
