// run_load(): the phases of a run — open, warm up, measure, close — with the live
// progress line and the command prober alongside.

#include "tools/mxgw-bench/load_run.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tools/mxgw-bench/bench_sessions.h"
#include "tools/mxgw-bench/consumer.h"

namespace mxgw::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

Percentiles percentiles_of(const engine::Histogram::Snapshot& snapshot) {
  return {snapshot.total,
          snapshot.percentile(0.50),
          snapshot.percentile(0.90),
          snapshot.percentile(0.99),
          snapshot.percentile(0.999),
          snapshot.max()};
}

std::string rate_text(double per_s) {
  char text[32];
  if (per_s >= 1e6)
    std::snprintf(text, sizeof text, "%.2f M/s", per_s / 1e6);
  else if (per_s >= 1e3)
    std::snprintf(text, sizeof text, "%.1f k/s", per_s / 1e3);
  else
    std::snprintf(text, sizeof text, "%.0f /s", per_s);
  return text;
}

// Sends Activate (harmless: the item is active already) to the sessions in turn at
// the configured rate, timing each round trip while the run is measured.
class CommandProber {
 public:
  CommandProber(std::vector<BenchSession>& sessions, uint32_t per_s, ErrorLog& errors)
      : sessions_(sessions), per_s_(per_s), errors_(errors) {}
  ~CommandProber() { stop(); }

  void start() {
    if (per_s_ == 0 || sessions_.empty()) return;
    thread_ = std::thread([this] { run(); });
  }
  void begin_measuring() { measuring_.store(true, std::memory_order_release); }
  void stop() {
    stopping_.store(true, std::memory_order_release);
    if (thread_.joinable()) thread_.join();
  }
  const engine::Histogram& round_trips() const { return round_trips_; }

 private:
  void run() {
    const auto interval = std::chrono::nanoseconds(1'000'000'000 / per_s_);
    auto next = Clock::now();
    for (size_t i = 0; !stopping_.load(std::memory_order_acquire); ++i) {
      BenchSession& target = sessions_[i % sessions_.size()];
      const auto sent = Clock::now();
      const int code = mxgw_activate(target.session, target.server_handle, target.item_handles.front());
      const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent).count();
      if (code != MXGW_OK) {
        errors_.add(std::string("Activate: ") + mxgw_strerror(code) + " (" + mxgw_last_error() + ")");
      } else if (measuring_.load(std::memory_order_acquire)) {
        round_trips_.record(static_cast<uint64_t>(took));
      }
      next += interval;
      std::this_thread::sleep_until(next);
    }
  }

  std::vector<BenchSession>& sessions_;
  const uint32_t per_s_;
  ErrorLog& errors_;
  engine::Histogram round_trips_;
  // Requests from the run's thread; release there, acquire here.
  std::atomic<bool> measuring_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// The live line: on a terminal it rewrites itself; elsewhere one line per second.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), terminal_(isatty(STDERR_FILENO) != 0) {}

  void show(const char* phase, double elapsed_s, double rate, uint64_t events, size_t sessions, size_t subscriptions,
            uint64_t errors) {
    if (!enabled_) return;
    std::fprintf(stderr, "%s%-9s %6.1f s  %12s  events %14llu  sessions %zu  subscriptions %zu  errors %llu%s",
                 terminal_ ? "\r" : "", phase, elapsed_s, rate_text(rate).c_str(),
                 static_cast<unsigned long long>(events), sessions, subscriptions,
                 static_cast<unsigned long long>(errors), terminal_ ? "\033[K" : "\n");
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_ && terminal_) std::fputc('\n', stderr);
  }

 private:
  const bool enabled_;
  const bool terminal_;
};

uint64_t events_now(const std::vector<std::unique_ptr<Consumer>>& consumers) {
  uint64_t total = 0;
  for (const auto& consumer : consumers) total += consumer->events();
  return total;
}

size_t live_subscriptions(const std::vector<std::unique_ptr<Consumer>>& consumers) {
  size_t live = 0;
  for (const auto& consumer : consumers) live += consumer->subscriptions() - consumer->ended();
  return live;
}

}  // namespace

bool run_load(const BenchConfig& config, BenchResult* result, std::string* why) {
  *result = BenchResult{};
  result->config = config;
  result->library_version = mxgw_version_string();

  mxgw_client_options options;
  mxgw_client_options_init(&options);
  options.api_key = config.api_key.c_str();
  options.client_name = "mxgw-bench";
  options.shards = config.shards;
  options.max_sessions = config.sessions;
  mxgw_client* client = nullptr;
  if (const int code = mxgw_client_open(config.target.c_str(), &options, &client); code != MXGW_OK) {
    *why = std::string("cannot open ") + config.target + ": " + mxgw_strerror(code) + " (" + mxgw_last_error() + ")";
    return false;
  }
  result->mode = mxgw_client_is_embedded(client) ? "embedded" : "remote";

  ErrorLog errors;
  ProgressLine progress(config.progress);
  const auto setup_started = Clock::now();
  std::vector<BenchSession> sessions = open_sessions(client, config, errors);
  result->setup_s = seconds_since(setup_started);
  result->sessions_open = static_cast<uint32_t>(sessions.size());

  std::vector<std::unique_ptr<Consumer>> consumers;
  for (uint32_t c = 0; c < std::max<uint32_t>(config.consumers, 1); ++c) {
    consumers.push_back(std::make_unique<Consumer>(errors, config.busy_poll));
  }
  size_t next_consumer = 0;
  for (const BenchSession& session : sessions) {
    for (mxgw_subscription* subscription : session.subscriptions) {
      consumers[next_consumer++ % consumers.size()]->follow(subscription, session.server_handle);
      ++result->subscriptions;
    }
  }
  for (auto& consumer : consumers) consumer->start();
  CommandProber prober(sessions, config.commands_per_s, errors);
  prober.start();

  // Warm-up, then the measured window, with the progress line once a second.
  const auto started = Clock::now();
  Clock::time_point measure_start;
  uint64_t last_events = 0;
  auto last_tick = started;
  bool measuring = false;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const double elapsed = seconds_since(started);
    if (!measuring && elapsed >= config.warmup_s) {
      measuring = true;
      measure_start = Clock::now();
      for (auto& consumer : consumers) consumer->begin_measuring();
      prober.begin_measuring();
    }
    const uint64_t events = events_now(consumers);
    if (Clock::now() - last_tick >= std::chrono::seconds(1)) {
      const double rate = static_cast<double>(events - last_events) / seconds_since(last_tick);
      progress.show(measuring ? "measuring" : "warm-up", elapsed, rate, events, sessions.size(),
                    live_subscriptions(consumers), errors.count());
      last_events = events;
      last_tick = Clock::now();
    }
    if (measuring) {
      const bool timed_out = config.event_limit == 0 && seconds_since(measure_start) >= config.duration_s;
      const bool enough = config.event_limit != 0 && events >= config.event_limit;
      if (timed_out || enough || live_subscriptions(consumers) == 0) break;
    }
  }
  result->measured_s = seconds_since(measure_start);
  for (auto& consumer : consumers) consumer->stop();
  prober.stop();
  progress.finish();

  engine::Histogram::Snapshot latency;
  for (const auto& consumer : consumers) {
    const ReadTotals& end = consumer->totals();
    const ReadTotals& start = consumer->baseline();
    result->events += end.events - start.events;
    result->changes += end.changes - start.changes;
    result->batches += end.batches - start.batches;
    result->missing += end.missing;
    result->announced += end.announced;
    result->gap_events += end.gap_events;
    result->invalid += end.invalid;
    latency.add(consumer->latency().snapshot());
  }
  result->events_per_s = result->measured_s > 0 ? static_cast<double>(result->events) / result->measured_s : 0;
  result->latency_ns = percentiles_of(latency);
  result->command_rtt_ns = percentiles_of(prober.round_trips().snapshot());

  consumers.clear();
  close_sessions(sessions, errors);
  mxgw_client_free(client);
  result->errors = errors.count();
  result->first_error = errors.first();
  return true;
}

}  // namespace mxgw::bench
