# End-to-end fan-out: one in-process gateway, one sim session, 1/4/16 TCP subscribers,
# against a nats-server child process driven by the NATS C client (libnats-dev,
# nats-server), measured in the same run.
pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)   # libnats-dev
find_program(MXGW_NATS_SERVER_PROGRAM nats-server PATHS /usr/sbin /usr/local/sbin)   # nats-server
if(NOT MXGW_NATS_SERVER_PROGRAM)
  # Not installed at configure time: the benchmark looks it up on PATH when it runs.
  set(MXGW_NATS_SERVER_PROGRAM /usr/sbin/nats-server)
endif()

add_executable(bench_fanout fanout_bench.cc)
target_link_libraries(bench_fanout PRIVATE
  mxgw_gateway mxgw::client benchmark::benchmark mxgw::compile_options PkgConfig::NATS)
target_compile_definitions(bench_fanout PRIVATE
  MXGW_WORKER_PATH="$<TARGET_FILE:mxgw-worker>"
  MXGW_NATS_SERVER="${MXGW_NATS_SERVER_PROGRAM}")
add_dependencies(bench_fanout mxgw-worker)
