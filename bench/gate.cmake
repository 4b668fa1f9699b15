# The deterministic regression gate's cases (bench/gate/), measured in instructions
# under callgrind by tools/perf-gate.sh. Client requests come from valgrind's own
# header, valgrind/callgrind.h (package valgrind).
find_path(MXGW_VALGRIND_INCLUDE_DIR valgrind/callgrind.h REQUIRED)

add_executable(bench_gate
  ${CMAKE_CURRENT_LIST_DIR}/gate/main.cc
  ${CMAKE_CURRENT_LIST_DIR}/gate/copy_count.cc
  ${CMAKE_CURRENT_LIST_DIR}/gate/transport_cases.cc
  ${CMAKE_CURRENT_LIST_DIR}/gate/distributor_cases.cc
  ${CMAKE_CURRENT_LIST_DIR}/gate/sim_cases.cc
  ${CMAKE_CURRENT_LIST_DIR}/gate/capi_cases.cc)
target_include_directories(bench_gate SYSTEM PRIVATE ${MXGW_VALGRIND_INCLUDE_DIR})
target_link_libraries(bench_gate PRIVATE
  mxgw::engine mxgw_sim mxgw_bench_samples mxgw::mxgw mxgw::compile_options ${CMAKE_DL_LIBS})
target_compile_definitions(bench_gate PRIVATE MXGW_WORKER_PATH="$<TARGET_FILE:mxgw-worker>")
add_dependencies(bench_gate mxgw-worker)
