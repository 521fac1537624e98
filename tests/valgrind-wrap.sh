#!/bin/sh
# valgrind-wrap.sh: the `valgrind` test setup's exe_wrapper; runs C test binaries
# under memcheck and Python test scripts as they are, never the interpreter
# under valgrind (those scripts put scobot itself under memcheck through
# $SCOBOT_WRAPPER, set by the same setup).
# usage: valgrind-wrap.sh VALGRIND SUPPRESSIONS COMMAND [ARG...]
vg=$1
supp=$2
shift 2
case "$1" in
*/python3 | */python3.*) exec "$@" ;;
esac
exec "$vg" --tool=memcheck --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no \
    --num-callers=30 --suppressions="$supp" "$@"
