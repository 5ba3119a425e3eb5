#!/bin/sh
# exe_wrapper of the 'valgrind' test setup (meson test --setup=valgrind).
# C test programs run under valgrind directly; the python suites run
# normally and start claimd under valgrind through $CLAIMD_WRAPPER.
# claimd is linked with jemalloc: --soname-synonyms lets memcheck replace
# its malloc and free as it does glibc's
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --num-callers=30 --soname-synonyms=somalloc=libjemalloc.so*"
case "$(basename "$1")" in
python*)
        CLAIMD_WRAPPER="$VG"
        export CLAIMD_WRAPPER
        exec "$@"
        ;;
*)
        exec $VG "$@"
        ;;
esac
