// A run's result as people and scripts read it: the summary table, the JSON
// document (--json), and the comparison of two JSON documents (--compare).
//
// Thread safety: pure functions.

#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/mxgw-bench/bench_result.h"

namespace mxgw::bench {

void print_summary(const BenchResult& result, std::FILE* out);
nlohmann::json to_json(const BenchResult& result);
// Prints metric, A, B and the change for two documents written by to_json();
// false (with *why) when either is not such a document.
bool print_comparison(const nlohmann::json& a, const nlohmann::json& b, std::FILE* out, std::string* why);

}  // namespace mxgw::bench
