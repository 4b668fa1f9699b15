#!/usr/bin/env bash
# Installs a build into a temporary prefix and builds tests/install/consumer against
# it as users would: find_package(mxgw) with mxgw::mxgw and mxgw::mxgw_static, and
# pkg-config, shared and static. Each consumer then runs an embedded engine with the
# installed mxgw-worker. Last, the example plugin and tests/capi/both_headers.c build
# from the installed headers.
#   tests/install/install_test.sh CMAKE BUILD_DIR C_COMPILER CXX_COMPILER LIBDIR BINDIR
# LIBDIR and BINDIR are the build's CMAKE_INSTALL_LIBDIR and CMAKE_INSTALL_BINDIR.
set -euo pipefail
cmake=$1 build=$2 cc=$3 cxx=$4
consumer=$(cd "$(dirname "$0")" && pwd)/consumer
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxgw-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix lib=$tmp/prefix/$5 bin=$tmp/prefix/$6
unset MXGW_WORKER  # the shared consumers must find the worker themselves

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log"
for file in "$lib"/libmxgw.so "$lib"/libmxgw.so.0 "$lib"/libmxgw.a "$prefix"/include/mxgw/mxgw.h \
            "$prefix"/include/mxgw/mxgw_plugin.h \
            "$bin"/mxgw "$bin"/mxgw-worker "$lib"/pkgconfig/mxgw.pc "$lib"/cmake/mxgw/mxgwConfig.cmake; do
  [ -e "$file" ] || { echo "install_test: ${file#"$prefix"/} was not installed" >&2; exit 1; }
done
[ -L "$lib/libmxgw.so" ] || { echo "install_test: libmxgw.so is not the soname link" >&2; exit 1; }

run() {
  echo "== $*"
  "$@"
}

# CMake. libmxgw.so finds the worker in ../bin from itself; a static program has
# no library file to start from, so it is told where the worker is.
run "$cmake" -S "$consumer" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
run "$cmake" --build "$tmp/build"
run "$tmp/build/consumer_shared"
run env MXGW_WORKER="$bin/mxgw-worker" "$tmp/build/consumer_static"

# pkg-config. Static: the archive itself, then what it needs (Libs.private and
# Requires.private); --as-needed keeps the -lmxgw of that list from adding the
# shared library, so the program runs without libmxgw.so in its search path.
export PKG_CONFIG_PATH=$lib/pkgconfig
run pkg-config --modversion mxgw
# shellcheck disable=SC2046  # pkg-config's flags are meant to split into words
run "$cc" "$consumer/consumer.c" -o "$tmp/pc_shared" $(pkg-config --cflags --libs mxgw) -Wl,-rpath,"$lib"
# shellcheck disable=SC2046
run "$cc" "$consumer/consumer.c" -o "$tmp/pc_static" $(pkg-config --cflags mxgw) -Wl,--as-needed "$lib/libmxgw.a" \
  $(pkg-config --static --libs mxgw)
run "$tmp/pc_shared"
run env MXGW_WORKER="$bin/mxgw-worker" "$tmp/pc_static"

# A backend plugin builds from the installed header alone, and that header goes
# beside mxgw.h in one translation unit.
run "$cc" -std=c99 -Wall -Wextra -Werror -shared -fPIC "$source_dir/worker/plugins/example_clock.c" \
  -o "$tmp/example_clock.so" -I"$prefix/include"
# shellcheck disable=SC2046
run "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror "$source_dir/tests/capi/both_headers.c" -o "$tmp/both_headers" \
  $(pkg-config --cflags --libs mxgw) -Wl,-rpath,"$lib"
run "$tmp/both_headers"
echo "install_test: ok"
