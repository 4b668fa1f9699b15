# Embedded-mode delivery: the Distributor to busy-polling consumer threads, directly
# and through mxgw_poll, against moodycamel::ReaderWriterQueue, in the same run,
# with the ratios to the reference printed after the table.
# Linked to the static C API library for mxgw_poll; the engine's objects inside it
# are the ones mxgw::engine would bring.
add_executable(bench_embedded_delivery
  ${CMAKE_CURRENT_LIST_DIR}/embedded_delivery_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/delivery_carriers.cc)
target_link_libraries(bench_embedded_delivery PRIVATE
  mxgw_capi_static mxgw::engine mxgw_bench_samples mxgw_bench_ratios benchmark::benchmark mxgw_readerwriterqueue
  mxgw::compile_options)
