# The simulated galaxy's generator benchmark. Included from bench/CMakeLists.txt.
add_executable(bench_sim_generator ${CMAKE_CURRENT_LIST_DIR}/sim_generator_bench.cc)
target_link_libraries(bench_sim_generator PRIVATE benchmark::benchmark mxgw_sim mxgw::compile_options)
