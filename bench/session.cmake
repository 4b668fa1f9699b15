# Session benchmarks: open latency, 1,000 idle sessions' memory and command round
# trips, against a real SessionManager and real mxgw-worker processes.
add_executable(bench_session session_bench.cc)
target_link_libraries(bench_session PRIVATE benchmark::benchmark mxgw::engine mxgw_process_census mxgw::compile_options)
target_compile_definitions(bench_session PRIVATE MXGW_WORKER_PATH="$<TARGET_FILE:mxgw-worker>")
add_dependencies(bench_session mxgw-worker)
