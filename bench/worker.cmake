# End-to-end worker throughput: a real mxgw-worker process and its socket.
add_executable(bench_worker_throughput worker_throughput_bench.cc)
target_link_libraries(bench_worker_throughput PRIVATE benchmark::benchmark mxgw::engine mxgw::compile_options)
target_compile_definitions(bench_worker_throughput PRIVATE MXGW_WORKER_PATH="$<TARGET_FILE:mxgw-worker>")
add_dependencies(bench_worker_throughput mxgw-worker)
