// The sessions of a run: opened several at a time (each open starts a worker
// process), each registered, subscribed and given its items, and closed the same
// way at the end.
//
// Thread safety: open_sessions() and close_sessions() from the run's thread; they
// use threads of their own.

#pragma once

#include <mxgw/mxgw.h>

#include <cstdint>
#include <vector>

#include "engine/core/histogram.h"
#include "tools/mxgw-bench/bench_config.h"
#include "tools/mxgw-bench/error_log.h"

namespace mxgw::bench {

struct BenchSession {
  mxgw_session* session = nullptr;
  int32_t server_handle = 0;
  std::vector<int32_t> item_handles;
  std::vector<mxgw_subscription*> subscriptions;
};

// The sessions that opened; every failure is in `errors`.
std::vector<BenchSession> open_sessions(mxgw_client* client, const BenchConfig& config, ErrorLog& errors);
// Unsubscribes, closes and frees everything; a close that fails is in `errors`.
void close_sessions(std::vector<BenchSession>& sessions, ErrorLog& errors);

}  // namespace mxgw::bench
