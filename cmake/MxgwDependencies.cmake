# Every dependency comes from a Debian package (tools/setup.sh installs them) and is
# found the ordinary CMake/pkg-config way.

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv>=1.44)   # libuv1-dev
find_package(mimalloc 2.0 REQUIRED)                             # libmimalloc-dev

find_program(FLATC flatc REQUIRED)                              # flatbuffers-compiler
find_path(FLATBUFFERS_INCLUDE_DIR flatbuffers/flatbuffers.h REQUIRED)   # libflatbuffers-dev
add_library(mxgw_flatbuffers INTERFACE)
target_include_directories(mxgw_flatbuffers SYSTEM INTERFACE ${FLATBUFFERS_INCLUDE_DIR})

find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)  # libcli11-dev: command lines and --help

find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/concurrentqueue.h REQUIRED)  # libconcurrentqueue-dev
add_library(mxgw_concurrentqueue INTERFACE)
target_include_directories(mxgw_concurrentqueue SYSTEM INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR})

if(MXGW_TESTS)
  find_package(GTest REQUIRED)                                  # libgtest-dev, libgmock-dev
endif()
if(MXGW_BENCH)
  find_package(benchmark REQUIRED)                              # libbenchmark-dev
  # Benchmark-only reference implementation.
  find_path(READERWRITERQUEUE_INCLUDE_DIR readerwriterqueue/readerwriterqueue.h REQUIRED)  # libreaderwriterqueue-dev
  add_library(mxgw_readerwriterqueue INTERFACE)
  target_include_directories(mxgw_readerwriterqueue SYSTEM INTERFACE ${READERWRITERQUEUE_INCLUDE_DIR})
endif()
