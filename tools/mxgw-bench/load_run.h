// run_load(): one mxgw-bench run through libmxgw. Opens the sessions (several at a
// time), subscribes, adds and advises the items, lets consumer threads poll every
// subscription and read every change, measures after the warm-up for the duration
// (or until the event limit), sends commands at the configured rate to measure
// their round trip under load, shows a live progress line, then closes everything.
//
// Thread safety: one run at a time per process.

#pragma once

#include "tools/mxgw-bench/bench_config.h"
#include "tools/mxgw-bench/bench_result.h"

namespace mxgw::bench {

// Fails (false, with *why) only when the run could not start at all: the client
// could not be opened. Errors during the run are counted in the result.
bool run_load(const BenchConfig& config, BenchResult* result, std::string* why);

}  // namespace mxgw::bench
