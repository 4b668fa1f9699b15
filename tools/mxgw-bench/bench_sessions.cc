// Opening and closing a run's sessions, several threads at a time.

#include "tools/mxgw-bench/bench_sessions.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iterator>
#include <string>
#include <thread>

namespace mxgw::bench {
namespace {

// Enough to overlap worker start-ups without flooding a small machine.
constexpr uint32_t kOpeners = 8;

std::string failure(const char* what, int code) {
  return std::string(what) + ": " + mxgw_strerror(code) + " (" + mxgw_last_error() + ")";
}

std::string tank_level(uint32_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "Tank_%03u.Level", i);
  return name;
}

// One session, ready to stream: false (with the error logged) if any step failed.
bool prepare(mxgw_client* client, const BenchConfig& config, uint32_t index, BenchSession* out, ErrorLog& errors) {
  char period[32];
  std::snprintf(period, sizeof period, "%g", config.update_period_ms);
  const std::string tags = "Tank:" + std::to_string(config.items);
  const std::string seed = std::to_string(index);
  const mxgw_backend_option options[] = {{"rate_ms", period}, {"tags", tags.c_str()}, {"seed", seed.c_str()}};
  mxgw_session_options session_options;
  mxgw_session_options_init(&session_options);
  session_options.name = "mxgw-bench";
  session_options.backend = "sim";
  session_options.backend_options = options;
  session_options.backend_option_count = std::size(options);
  int code = mxgw_session_open(client, &session_options, &out->session);
  if (code != MXGW_OK) {
    errors.add(failure("open session", code));
    return false;
  }
  if ((code = mxgw_register(out->session, "mxgw-bench", &out->server_handle)) != MXGW_OK) {
    errors.add(failure("Register", code));
    return false;
  }
  mxgw_subscribe_options subscribe;
  mxgw_subscribe_options_init(&subscribe);
  subscribe.policy = config.policy;
  for (uint32_t k = 0; k < config.subscribers; ++k) {
    mxgw_subscription* subscription = nullptr;
    if ((code = mxgw_subscribe(out->session, &subscribe, &subscription)) != MXGW_OK) {
      errors.add(failure("subscribe", code));
      return false;
    }
    out->subscriptions.push_back(subscription);
  }
  std::vector<std::string> names;
  std::vector<const char*> defs;
  for (uint32_t i = 0; i < config.items; ++i) names.push_back(tank_level(i));
  for (const std::string& name : names) defs.push_back(name.c_str());
  out->item_handles.resize(config.items);
  std::vector<int32_t> item_errors(config.items);
  if ((code = mxgw_add_items(out->session, out->server_handle, defs.data(), defs.size(), out->item_handles.data(),
                             item_errors.data())) != MXGW_OK) {
    errors.add(failure("AddItems", code));
    return false;
  }
  if ((code = mxgw_advise_items(out->session, out->server_handle, out->item_handles.data(), out->item_handles.size(), 0,
                                item_errors.data())) != MXGW_OK) {
    errors.add(failure("AdviseItems", code));
    return false;
  }
  const auto refused = std::count_if(item_errors.begin(), item_errors.end(), [](int32_t e) { return e != MXGW_OK; });
  if (refused) errors.add(std::to_string(refused) + " items were not advised");
  return true;
}

// Unsubscribes and closes; a close that fails (no answer in time, a session that
// had already ended under the run) goes to `errors`, if given.
void release(BenchSession& session, ErrorLog* errors) {
  for (mxgw_subscription* subscription : session.subscriptions) mxgw_subscription_free(subscription);
  session.subscriptions.clear();
  if (errors && session.session) {
    if (const int code = mxgw_session_close(session.session); code != MXGW_OK) {
      errors->add(failure("close session", code));
    }
  }
  mxgw_session_free(session.session);
  session.session = nullptr;
}

// Runs work(i) for i in [0, n) on up to kOpeners threads.
template <typename Work>
void in_parallel(uint32_t n, Work&& work) {
  std::atomic<uint32_t> next{0};  // relaxed: only hands out indices
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < std::min(n, kOpeners); ++t) {
    threads.emplace_back([&] {
      for (uint32_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) work(i);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace

std::vector<BenchSession> open_sessions(mxgw_client* client, const BenchConfig& config, ErrorLog& errors) {
  std::vector<BenchSession> all(config.sessions);
  std::vector<char> ready(config.sessions, 0);
  in_parallel(config.sessions, [&](uint32_t i) {
    ready[i] = prepare(client, config, i, &all[i], errors);
    if (!ready[i]) release(all[i], nullptr);
  });
  std::vector<BenchSession> opened;
  for (uint32_t i = 0; i < config.sessions; ++i) {
    if (ready[i]) opened.push_back(std::move(all[i]));
  }
  return opened;
}

void close_sessions(std::vector<BenchSession>& sessions, ErrorLog& errors) {
  in_parallel(static_cast<uint32_t>(sessions.size()), [&](uint32_t i) { release(sessions[i], &errors); });
  sessions.clear();
}

}  // namespace mxgw::bench
