# mxgw-bench's consumer reading real numeric batches on one core.
add_executable(bench_tool_reader ${CMAKE_CURRENT_LIST_DIR}/bench_tool_reader_bench.cc)
target_include_directories(bench_tool_reader PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(bench_tool_reader PRIVATE
  mxgw_capi_static mxgw::engine mxgw_bench_samples benchmark::benchmark_main mxgw::compile_options)
