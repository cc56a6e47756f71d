#!/bin/sh
# expect_exit.sh: runs a test program and passes on the exit status a faked CUDA
# failure must give (the emulator's TW_CUDA_EMU_* variables fake it; ctest only).
#
#   expect_exit.sh skip-or-pass CMD...  no device: the test skips (77) or passes (0)
#   expect_exit.sh fail CMD...          a broken CUDA install (any other runtime
#                                       error): the test fails, neither 0 nor 77
want=$1
shift
"$@"
rc=$?
case "$want" in
  skip-or-pass) [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] && exit 0 ;;
  fail) [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && exit 0 ;;
  *) echo "expect_exit.sh: unknown expectation '$want'" >&2; exit 2 ;;
esac
echo "expect_exit.sh: $1 exited $rc; expected $want" >&2
exit 1
