// For wall-clock benchmarks that run mxgw and a reference implementation side by
// side: after Google Benchmark's own table, how each mxgw row compares with its
// reference row, as the ratio of their real times per iteration (the two do the
// same work per iteration), so that nobody divides by hand. A row's reference is
// the row named the same with `reference` in place of `ours`; both run in the same
// process one after the other, under much the same load.
//
// Thread safety: the main thread only.

#pragma once

#include <string>

namespace mxgw::bench {

// Runs every registered benchmark with the console reporter, then prints the
// ratios. Returns main()'s exit code.
int run_with_reference_ratios(int* argc, char** argv, const std::string& ours, const std::string& reference);

}  // namespace mxgw::bench
