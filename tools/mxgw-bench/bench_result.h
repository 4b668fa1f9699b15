// BenchResult: what one mxgw-bench run measured, for the summary table, the JSON
// file and --compare.
//
// Thread safety: a value type.

#pragma once

#include <cstdint>
#include <string>

#include "tools/mxgw-bench/bench_config.h"

namespace mxgw::bench {

struct Percentiles {
  uint64_t count = 0;
  uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

struct BenchResult {
  BenchConfig config;
  std::string mode;             // "embedded" or "remote"
  std::string library_version;  // mxgw_version_string()
  double setup_s = 0;           // opening sessions, adding and advising items
  double measured_s = 0;        // the measured window (after the warm-up)
  uint64_t events = 0;          // sequenced events delivered in the window, all subscribers
  uint64_t changes = 0;         // data changes among them, each read and checked
  uint64_t batches = 0;
  double events_per_s = 0;
  Percentiles latency_ns;      // worker timestamp to receipt, per event
  Percentiles command_rtt_ns;  // commands sent during the window
  uint64_t missing = 0;        // events lost without an announcement
  uint64_t announced = 0;      // events a Gap said would not come
  uint64_t gap_events = 0;
  uint64_t invalid = 0;  // changes that failed their check, or duplicates
  uint64_t errors = 0;   // failed opens or commands, subscriptions ended early
  std::string first_error;
  uint32_t sessions_open = 0;
  uint32_t subscriptions = 0;

  // Nothing lost silently, nothing invalid, no error.
  bool clean() const { return missing == 0 && invalid == 0 && errors == 0; }
};

}  // namespace mxgw::bench
