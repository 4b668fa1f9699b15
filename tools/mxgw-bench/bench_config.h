// BenchConfig: one mxgw-bench run, as the command line describes it.
//
// Thread safety: a value type.

#pragma once

#include <cstdint>
#include <string>

namespace mxgw::bench {

struct BenchConfig {
  std::string target = "embedded";  // or tcp://host:port, unix:///path
  std::string api_key;              // remote: a client key
  uint32_t sessions = 4;
  uint32_t items = 1000;        // per session: Tank_000.Level … (numeric)
  double update_period_ms = 1;  // each item changes this often (sim rate_ms)
  uint32_t subscribers = 1;     // per session
  int policy = 0;               // MXGW_POLICY_*
  double duration_s = 10;       // measured time, after the warm-up
  uint64_t event_limit = 0;     // stop once this many were measured (0: by time)
  double warmup_s = 2;
  uint32_t consumers = 1;         // consumer threads polling the subscriptions
  bool busy_poll = false;         // consumers never pause (costs a core each)
  uint32_t commands_per_s = 100;  // command round trips measured during the run
  uint32_t shards = 0;            // embedded: engine threads (0: one per core)
  bool progress = true;

  // Changes per second the workers are asked for, all sessions together.
  double offered_rate() const { return sessions * (items * 1000.0 / update_period_ms); }
};

}  // namespace mxgw::bench
