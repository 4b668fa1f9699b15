// End-to-end fan-out of one session's numeric changes to 1, 4 and 16 subscribers:
// mxgw against NATS, measured in the same run so the numbers are comparable.
//
// mxgw: one in-process Gateway (2 shards, the sim backend, lossless subscriptions)
// serves ONE session, whose mxgw-worker process streams `Line_NNN.Counter` changes.
// Saturation advises 100,000 counters at a 1 ms rate (100 M changes/s offered: the
// worker coalesces what it cannot send and reports it in each batch); paced advises
// 20 counters at 1 ms (20,000 changes/s). Each subscriber is its own GatewayClient
// over TCP loopback, consumed on its own thread, which reads every DataChange's value.
//
// NATS: a nats-server child process on a loopback port, one publishing connection
// and one connection per subscriber (a synchronous subscription drained on its own
// thread). The payload is the same 32-byte DataChange struct, either one per message
// or 1,000 per 32 KB message; the publisher stamps its publish time into the changes
// and numbers them in `value`, so every subscriber reads every value and can tell a
// lost or reordered change. Saturation publishes as fast as the connection takes it,
// flushing (a PING/PONG round trip) after each megabyte so the publisher stays within
// a megabyte of the server; paced publishes 20,000 changes/s.
//
// Every configuration warms up for a second, then measures a 3 s window:
//   changes_per_s      changes read by the subscribers, summed over them (also the
//                      mean and the slowest subscriber's rate);
//   cpu_ns_per_change  CPU of this process (gateway + clients, or NATS publisher +
//                      subscribers: getrusage) plus the peer process (mxgw-worker or
//                      nats-server: utime+stime from /proc) per change read;
//   p50/p99/p999_us    latency from the batch's worker_time_ns (mxgw) or the publish
//                      stamp (NATS) to the moment the subscriber's poll hands the frame
//                      or message over (CLOCK_REALTIME on both sides), weighted per
//                      change, in an HDR-style log-linear histogram (the buckets of
//                      engine::Histogram: within 6.25 %).
// Each row's notes add the peer's share of the CPU, the CPU that other processes
// used on this shared machine during the window (from /proc/stat), the worker's
// coalesced changes/s and, for mxgw, the p99 of the worker-seal-to-gateway part.
// Loss is checked, not assumed: mxgw frames must continue each other's sequence
// numbers and carry no gap; NATS values must count up by one, and the client's drop
// counter (pending limits raised so that it does not drop early) and slow-consumer
// notices are reported. A configuration that fails says why in its label and in the
// table printed at the end, instead of reporting numbers.

#include <benchmark/benchmark.h>
#include <nats/nats.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <mxgw/clock.h>
#include <mxgw/schema/events_generated.h>

#include "engine/client/gateway_client.h"
#include "engine/core/histogram.h"
#include "engine/gateway/gateway.h"

namespace mxgw {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kWarmUp = std::chrono::seconds(1);
constexpr auto kWindow = std::chrono::seconds(3);
// Bounds every setup step (connect, open, advise, first delivery) so that a hang is
// reported as one instead of stalling the run.
constexpr auto kSetupDeadline = std::chrono::seconds(30);
// How long a consumer blocks for data before it looks at the stop flag again.
constexpr auto kConsumerWake = std::chrono::milliseconds(50);

constexpr int kSaturationItems = 100'000;
constexpr int kPacedItems = 20;
constexpr int64_t kPacedChangesPerSecond = 20'000;
constexpr int kBatchChanges = 1'000;
constexpr size_t kChangeBytes = sizeof(proto::DataChange);
static_assert(kChangeBytes == 32);
constexpr const char* kSubject = "mxgw.fanout";
// The NATS client queues up to this much per subscription before it drops (and says
// so): far above its defaults, so that a lagging consumer shows as latency and memory
// first, and any drop that still happens is counted.
constexpr int kNatsPendingMessages = 2'000'000;
constexpr int kNatsPendingBytes = 256 << 20;
constexpr size_t kNatsFlushBytes = 1 << 20;

int64_t own_cpu_ns() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& t) { return int64_t{t.tv_sec} * 1'000'000'000 + int64_t{t.tv_usec} * 1'000; };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

// utime + stime of another process, in ns; -1 when it cannot be read.
int64_t process_cpu_ns(pid_t pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const size_t name_end = text.rfind(')');
  if (name_end == std::string::npos) return -1;
  std::istringstream fields(text.substr(name_end + 1));
  std::string skipped;
  for (int field = 3; field < 14; ++field) fields >> skipped;
  uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return -1;
  const auto ticks = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  return static_cast<int64_t>((utime + stime) * 1'000'000'000 / ticks);
}

// CPU time the whole machine spent busy (every state but idle and iowait), in ns:
// the window's share not spent by this benchmark is other load on the shared
// machine, reported beside the numbers it disturbs.
int64_t machine_busy_ns() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || cpu != "cpu") return -1;
  const auto ticks = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  return static_cast<int64_t>((user + nice + system + irq + softirq + steal) * 1'000'000'000 / ticks);
}

// A latency histogram weighted per change, with engine::Histogram's log-linear
// buckets. One thread writes it (a relaxed load and store, no read-modify-write
// needed); the controlling thread reads it at the window's edges and subtracts.
class WeightedLatency {
 public:
  void add(int64_t latency_ns, uint64_t weight) noexcept {
    auto& count = counts_[engine::Histogram::index_of(latency_ns > 0 ? static_cast<uint64_t>(latency_ns) : 0)];
    count.store(count.load(std::memory_order_relaxed) + weight, std::memory_order_relaxed);
  }
  void add_into(std::vector<uint64_t>* sums) const {
    for (size_t i = 0; i < counts_.size(); ++i) (*sums)[i] += counts_[i].load(std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<uint64_t>, engine::Histogram::kBuckets> counts_{};
};

// One subscriber's counts, written by its consumer thread only.
struct alignas(64) Tally {
  std::atomic<uint64_t> changes{0};    // changes whose value was read
  std::atomic<uint64_t> frames{0};     // frames or messages
  std::atomic<uint64_t> breaks{0};     // sequence discontinuities: loss, duplicate or reorder
  std::atomic<uint64_t> gapped{0};     // mxgw: events announced as never coming
  std::atomic<uint64_t> coalesced{0};  // mxgw: changes the worker merged (reported per batch)
  WeightedLatency latency;             // origin stamp to the subscriber's poll
  WeightedLatency to_gateway;          // mxgw: worker seal to gateway receipt
  double checksum = 0;                 // keeps the value reads from being optimized away

  static void bump(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// Where consumers report their first delivery and any failure, and where the
// controlling thread waits for them: it wakes at once when something fails, so a
// broken configuration is reported rather than timed out.
class Watch {
 public:
  void fail(const std::string& why) {
    std::lock_guard lock(mutex_);
    if (failure_.empty()) failure_ = why;
    cv_.notify_all();
  }
  void arrived() {
    std::lock_guard lock(mutex_);
    ++arrived_;
    cv_.notify_all();
  }
  // True once `subscribers` have each had a delivery; false on a failure or at the deadline.
  bool all_arrived(int subscribers, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, deadline, [&] { return !failure_.empty() || arrived_ >= subscribers; });
    if (failure_.empty() && arrived_ < subscribers) {
      failure_ = std::to_string(subscribers - arrived_) + " subscriber(s) received nothing within " +
                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kSetupDeadline).count()) + " s";
    }
    return failure_.empty();
  }
  // Holds the controlling thread for the warm-up or the measurement window; returns
  // early, false, when a consumer fails.
  bool hold_until(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, deadline, [&] { return !failure_.empty(); });
    return failure_.empty();
  }
  std::string failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
  std::string failure_;
};

// The state of every counter at one edge of the window.
struct Cut {
  Clock::time_point at;
  int64_t own_cpu = 0;
  int64_t peer_cpu = -1;
  int64_t machine_busy = -1;
  std::vector<uint64_t> changes;  // per subscriber
  uint64_t frames = 0, breaks = 0, gapped = 0, coalesced = 0, dropped = 0;
  std::vector<uint64_t> latency = std::vector<uint64_t>(engine::Histogram::kBuckets);
  std::vector<uint64_t> to_gateway = std::vector<uint64_t>(engine::Histogram::kBuckets);
};

Cut take_cut(const std::vector<std::unique_ptr<Tally>>& tallies, pid_t peer, uint64_t dropped) {
  Cut cut;
  cut.at = Clock::now();
  cut.own_cpu = own_cpu_ns();
  cut.peer_cpu = process_cpu_ns(peer);
  cut.machine_busy = machine_busy_ns();
  for (const auto& t : tallies) {
    cut.changes.push_back(t->changes.load(std::memory_order_relaxed));
    cut.frames += t->frames.load(std::memory_order_relaxed);
    cut.breaks += t->breaks.load(std::memory_order_relaxed);
    cut.gapped += t->gapped.load(std::memory_order_relaxed);
    t->latency.add_into(&cut.latency);
    t->to_gateway.add_into(&cut.to_gateway);
  }
  // Every subscriber sees the same batches: one subscriber's count is the worker's.
  if (!tallies.empty()) cut.coalesced = tallies.front()->coalesced.load(std::memory_order_relaxed);
  cut.dropped = dropped;
  return cut;
}

engine::Histogram::Snapshot window_histogram(const std::vector<uint64_t>& before, const std::vector<uint64_t>& after) {
  engine::Histogram::Snapshot snapshot;
  snapshot.counts.resize(after.size());
  for (size_t i = 0; i < after.size(); ++i) {
    snapshot.counts[i] = after[i] - before[i];
    snapshot.total += snapshot.counts[i];
  }
  return snapshot;
}

// One line of the summary table printed after the run.
struct Row {
  std::string system;
  int subscribers = 0;
  bool paced = false;
  double changes_per_s = 0, mean_per_sub = 0, slowest_sub = 0, cpu_ns_per_change = 0, cores = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0;
  std::string notes;
};
std::vector<Row> g_rows;

std::string format_rate(double per_s) {
  char text[32];
  if (per_s >= 1e6) {
    std::snprintf(text, sizeof text, "%.2f M", per_s / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.1f k", per_s / 1e3);
  }
  return text;
}

void fail_configuration(benchmark::State& state, const std::string& system, int subscribers, bool paced,
                        const std::string& why) {
  std::fprintf(stderr, "fanout: %s subs=%d %s FAILED: %s\n", system.c_str(), subscribers,
               paced ? "paced" : "saturation", why.c_str());
  g_rows.push_back({.system = system, .subscribers = subscribers, .paced = paced, .notes = "FAILED: " + why});
  state.SkipWithError(why.c_str());
}

struct Extras {
  // What the source was asked to produce (mxgw) or managed to publish (NATS).
  const char* source = "offered";
  double source_per_s = 0;
  uint64_t slow_consumer_notices = 0;
  std::string notes;
};

void report(benchmark::State& state, const std::string& system, bool paced, const Cut& a, const Cut& b,
            const Extras& extras) {
  const int subscribers = static_cast<int>(b.changes.size());
  const double seconds = std::chrono::duration<double>(b.at - a.at).count();
  uint64_t delivered = 0;
  double slowest = -1;
  for (int i = 0; i < subscribers; ++i) {
    const uint64_t mine = b.changes[i] - a.changes[i];
    delivered += mine;
    const double rate = static_cast<double>(mine) / seconds;
    if (slowest < 0 || rate < slowest) slowest = rate;
  }
  const bool peer_known = a.peer_cpu >= 0 && b.peer_cpu >= 0;
  const double cpu_ns = static_cast<double>((b.own_cpu - a.own_cpu) + (peer_known ? b.peer_cpu - a.peer_cpu : 0));
  const auto latency = window_histogram(a.latency, b.latency);
  const auto to_gateway = window_histogram(a.to_gateway, b.to_gateway);
  auto us = [](const engine::Histogram::Snapshot& h, double fraction) {
    return static_cast<double>(h.percentile(fraction)) / 1e3;
  };

  Row row{.system = system, .subscribers = subscribers, .paced = paced};
  row.changes_per_s = static_cast<double>(delivered) / seconds;
  row.mean_per_sub = row.changes_per_s / subscribers;
  row.slowest_sub = slowest;
  row.cpu_ns_per_change = delivered ? cpu_ns / static_cast<double>(delivered) : 0;
  row.cores = cpu_ns / 1e9 / seconds;
  row.p50_us = us(latency, 0.5);
  row.p99_us = us(latency, 0.99);
  row.p999_us = us(latency, 0.999);

  std::string notes = extras.notes;
  auto note = [&notes](const std::string& text) { notes += (notes.empty() ? "" : "; ") + text; };
  if (!peer_known) {
    note("peer CPU unreadable");
  } else {
    char cores[96];
    std::snprintf(cores, sizeof cores, "%s %.2f cores", system == "mxgw" ? "worker" : "nats-server",
                  static_cast<double>(b.peer_cpu - a.peer_cpu) / 1e9 / seconds);
    note(cores);
  }
  if (a.machine_busy >= 0 && b.machine_busy >= 0) {
    // Clock-tick granularity can make this slightly negative on an idle machine.
    const double other = (static_cast<double>(b.machine_busy - a.machine_busy) - cpu_ns) / 1e9 / seconds;
    char load[64];
    std::snprintf(load, sizeof load, "other load %.2f cores", std::max(0.0, other));
    note(load);
  }
  if (b.breaks - a.breaks) note("SEQUENCE BREAKS " + std::to_string(b.breaks - a.breaks));
  if (b.gapped - a.gapped) note("GAPPED " + std::to_string(b.gapped - a.gapped));
  if (b.dropped - a.dropped) note("DROPPED " + std::to_string(b.dropped - a.dropped));
  if (extras.slow_consumer_notices) note("slow-consumer notices " + std::to_string(extras.slow_consumer_notices));
  if (b.coalesced - a.coalesced) {
    note("worker coalesced " + format_rate(static_cast<double>(b.coalesced - a.coalesced) / seconds) + "/s");
  }
  if (to_gateway.total) {
    note("worker->gateway p99 " + std::to_string(static_cast<int64_t>(us(to_gateway, 0.99))) + " us");
  }
  if (extras.source_per_s > 0) note(std::string(extras.source) + " " + format_rate(extras.source_per_s) + "/s");
  row.notes = notes;

  state.SetIterationTime(seconds);
  state.counters["changes_per_s"] = row.changes_per_s;
  state.counters["per_sub_per_s"] = row.mean_per_sub;
  state.counters["slowest_sub_per_s"] = row.slowest_sub;
  state.counters["cpu_ns_per_change"] = row.cpu_ns_per_change;
  state.counters["cpu_cores"] = row.cores;
  state.counters["p50_us"] = row.p50_us;
  state.counters["p99_us"] = row.p99_us;
  state.counters["p999_us"] = row.p999_us;
  state.counters["frames_per_s"] = static_cast<double>(b.frames - a.frames) / seconds;
  state.counters["seq_breaks"] = static_cast<double>(b.breaks - a.breaks);
  state.counters["lost"] = static_cast<double>((b.gapped - a.gapped) + (b.dropped - a.dropped));
  if (b.coalesced - a.coalesced) {
    state.counters["coalesced_per_s"] = static_cast<double>(b.coalesced - a.coalesced) / seconds;
  }
  state.SetLabel(notes);
  g_rows.push_back(std::move(row));
}

// ---------------------------------------------------------------------------------
// mxgw

template <typename T>
client::Result<T> await(std::future<client::Result<T>> future) {
  if (future.wait_for(kSetupDeadline) != std::future_status::ready) {
    return {Status(ErrorCode::CommandTimeout, "no answer within the setup deadline"), T{}};
  }
  return future.get();
}

// One subscriber's thread: polls its stream, checks that every frame continues the
// sequence, reads every change's value and stamps the receipt.
void consume_mxgw(client::EventStream& events, Tally& tally, Watch& watch, const std::atomic<bool>& stop, int index) {
  bool started = false;
  bool announced = false;
  uint64_t expected = 0;
  while (!stop.load(std::memory_order_acquire)) {
    events.wait_for(kConsumerWake);
    events.poll(SIZE_MAX, [&](client::EventFrame& frame) {
      const int64_t now = wall_clock_ns();
      const proto::EventBatch& batch = frame.batch();
      if (const auto* gaps = batch.gaps()) {
        for (const proto::GapEvent* gap : *gaps) {
          if (started && gap->first_seq() != expected) Tally::bump(tally.breaks, 1);
          Tally::bump(tally.gapped, gap->last_seq() - gap->first_seq() + 1);
          expected = gap->last_seq() + 1;
          started = true;
        }
      }
      if (frame.count > 0) {
        if (started && frame.first_seq != expected) Tally::bump(tally.breaks, 1);
        expected = frame.first_seq + frame.count;
        started = true;
      }
      uint64_t read = 0;
      if (const auto* changes = batch.changes()) {
        double sum = 0;
        for (const proto::DataChange* change : *changes) sum += change->value();
        tally.checksum += sum;
        read = changes->size();
      }
      if (batch.coalesced_changes()) Tally::bump(tally.coalesced, batch.coalesced_changes());
      Tally::bump(tally.frames, 1);
      if (read) {
        tally.latency.add(now - batch.worker_time_ns(), read);
        tally.to_gateway.add(frame.gateway_time_ns - batch.worker_time_ns(), read);
        Tally::bump(tally.changes, read);
      }
    });
    if (!announced && tally.changes.load(std::memory_order_relaxed) > 0) {
      announced = true;
      watch.arrived();
    }
    if (events.finished()) {
      watch.fail("subscriber " + std::to_string(index) + "'s stream ended: " + events.end_status().to_string());
      return;
    }
  }
}

// Why a command failed, at the gateway or inside the worker; ok when it did not.
Status refused(const char* command, const client::Result<client::InvokeAnswer>& answer) {
  if (!answer.ok()) return answer.status;
  const proto::ReplyT& reply = answer.value.reply;
  if (reply.error == proto::CommandError::None) return Status::ok();
  return Status(ErrorCode::Internal, std::string(command) + " failed in the worker: " +
                                         proto::EnumNameCommandError(reply.error) + " " + reply.message);
}

// Register + AddItems + AdviseItems for `count` Line counters (as the gateway tests do).
Status stream_counters(client::GatewayClient& control, const std::string& session_id, int count) {
  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "fanout-bench";
  const auto registered = await(control.invoke(session_id, reg));
  if (Status failed = refused("Register", registered); !failed.is_ok()) return failed;
  const auto* server_reply = registered.value.reply.body.AsServerHandleReply();
  if (!server_reply) return Status(ErrorCode::Internal, "Register answered without a server handle");
  const int32_t server = server_reply->server_handle;

  proto::CommandT add;
  add.body.Set(proto::AddItemsT{});
  add.body.AsAddItems()->server_handle = server;
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "Line_%03d.Counter", i);
    add.body.AsAddItems()->item_defs.emplace_back(name);
  }
  const auto added = await(control.invoke(session_id, add));
  if (Status failed = refused("AddItems", added); !failed.is_ok()) return failed;
  const auto* batch_reply = added.value.reply.body.AsBatchReply();
  if (!batch_reply || batch_reply->handles.size() != static_cast<size_t>(count)) {
    return Status(ErrorCode::Internal, "AddItems did not return a handle per item");
  }

  proto::CommandT advise;
  advise.body.Set(proto::AdviseItemsT{});
  advise.body.AsAdviseItems()->server_handle = server;
  advise.body.AsAdviseItems()->item_handles = batch_reply->handles;
  return refused("AdviseItems", await(control.invoke(session_id, advise)));
}

// The gateway, its session and subscribers for one configuration; the destructor
// tears it all down in the order that cannot hang: consumers stop, subscriber
// connections close (lifting any lossless stall), the session closes, the gateway stops.
class MxgwRun {
 public:
  ~MxgwRun() {
    stop_.store(true, std::memory_order_release);
    for (auto& consumer : consumers_) consumer.join();
    for (auto& subscriber : subscribers_) subscriber->close();
    if (control_ && !session_id_.empty()) await(control_->close_session(session_id_));
    if (control_) control_->close();
    if (gateway_) gateway_->stop();
  }

  // Everything up to the first change at every subscriber; an error says what failed.
  Status start(int subscribers, int items) {
    gateway::GatewayConfig config;
    config.engine.shards = 2;
    config.engine.max_sessions = 4;
    config.engine.worker_path = MXGW_WORKER_PATH;
    config.engine.shutdown_timeout_ms = 2'000;
    config.tcp_host = "127.0.0.1";
    config.tcp_port = 0;
    // Any key will do for a benchmark: every connection is the same non-admin caller,
    // so the subscribers may subscribe to the session the control connection opens.
    gateway_ = std::make_unique<gateway::Gateway>(
        config, [](std::string_view) { return std::optional<engine::Caller>(engine::Caller{.key_name = "bench"}); });
    if (Status started = gateway_->start(); !started.is_ok()) return started;
    const std::string address = "tcp://127.0.0.1:" + std::to_string(gateway_->tcp_port());

    client::ClientOptions options;
    options.api_key = "bench";
    options.client_name = "fanout-bench";
    Status error;
    control_ = client::GatewayClient::connect(address, options, &error);
    if (!control_) return error;
    const auto opened = await(
        control_->open_session({.client_session_name = "fanout",
                                .backend = "sim",
                                .backend_options = {{"rate_ms", "1"}, {"tags", "Line:" + std::to_string(items)}}}));
    if (!opened.ok()) return opened.status;
    session_id_ = opened.value.session_id;

    for (int i = 0; i < subscribers; ++i) {
      auto subscriber = client::GatewayClient::connect(address, options, &error);
      if (!subscriber) return error;
      auto subscribed = await(subscriber->subscribe(session_id_, {.policy = proto::DeliveryPolicy::Lossless}));
      if (!subscribed.ok()) return subscribed.status;
      streams_.push_back(subscribed.value.events);
      subscribers_.push_back(std::move(subscriber));
      tallies_.push_back(std::make_unique<Tally>());
    }
    for (int i = 0; i < subscribers; ++i) {
      consumers_.emplace_back(consume_mxgw, std::ref(*streams_[i]), std::ref(*tallies_[i]), std::ref(watch_),
                              std::cref(stop_), i);
    }
    if (Status streaming = stream_counters(*control_, session_id_, items); !streaming.is_ok()) return streaming;

    const auto listed = await(control_->list_sessions());
    if (!listed.ok()) return listed.status;
    for (const auto& session : listed.value) {
      if (session.session_id == session_id_) worker_pid_ = session.worker_pid;
    }
    if (worker_pid_ <= 0) return Status(ErrorCode::Internal, "the session list names no worker process");

    if (!watch_.all_arrived(subscribers, Clock::now() + kSetupDeadline)) {
      return Status(ErrorCode::Internal, watch_.failure());
    }
    return Status::ok();
  }

  Watch& watch() { return watch_; }
  Cut cut() const { return take_cut(tallies_, worker_pid_, 0); }
  double checksum() const {
    double sum = 0;
    for (const auto& t : tallies_) sum += t->checksum;
    return sum;
  }

 private:
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<client::GatewayClient> control_;
  std::string session_id_;
  pid_t worker_pid_ = 0;
  std::vector<std::unique_ptr<client::GatewayClient>> subscribers_;
  std::vector<std::shared_ptr<client::EventStream>> streams_;
  std::vector<std::unique_ptr<Tally>> tallies_;
  std::vector<std::thread> consumers_;
  std::atomic<bool> stop_{false};
  Watch watch_;
};

void BM_Mxgw(benchmark::State& state) {
  const int subscribers = static_cast<int>(state.range(0));
  const bool paced = state.range(1) != 0;
  const int items = paced ? kPacedItems : kSaturationItems;
  const std::string system = "mxgw";
  for (auto _ : state) {
    MxgwRun run;
    if (Status started = run.start(subscribers, items); !started.is_ok()) {
      fail_configuration(state, system, subscribers, paced, started.to_string());
      break;
    }
    if (!run.watch().hold_until(Clock::now() + kWarmUp)) {
      fail_configuration(state, system, subscribers, paced, run.watch().failure());
      break;
    }
    const Cut before = run.cut();
    const bool held = run.watch().hold_until(before.at + kWindow);
    const Cut after = run.cut();
    if (!held) {
      fail_configuration(state, system, subscribers, paced, run.watch().failure());
      break;
    }
    report(state, system, paced, before, after, {.source_per_s = items * 1000.0, .notes = "lossless"});
    benchmark::DoNotOptimize(run.checksum());
  }
}

// ---------------------------------------------------------------------------------
// NATS

// A nats-server child process on a random loopback port. Its log (stderr) is read
// on a thread: first for the port and "Server is ready", then to count the server's
// slow-consumer notices, and so that a full pipe never blocks the server.
class NatsServer {
 public:
  ~NatsServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) reader_.join();
    if (log_fd_ >= 0) ::close(log_fd_);
  }

  Status start() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Status(ErrorCode::Internal, "pipe2 failed");
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      return Status(ErrorCode::Internal, "fork failed");
    }
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec. The server dies with us.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      ::execl(MXGW_NATS_SERVER, "nats-server", "-a", "127.0.0.1", "-p", "-1", static_cast<char*>(nullptr));
      ::execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", "-1", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    log_fd_ = fds[0];
    std::promise<int> port_promise;
    std::future<int> port_future = port_promise.get_future();
    reader_ = std::thread([this, promise = std::move(port_promise)]() mutable { read_log(std::move(promise)); });
    if (port_future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Status(ErrorCode::Internal, "nats-server did not become ready within 10 s");
    }
    const int port = port_future.get();
    if (port <= 0) return Status(ErrorCode::Internal, "nats-server did not start (is it installed?)");
    url_ = "nats://127.0.0.1:" + std::to_string(port);
    return Status::ok();
  }

  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }
  uint64_t slow_consumer_notices() const { return slow_consumers_.load(std::memory_order_relaxed); }

 private:
  void read_log(std::promise<int> ready) {
    constexpr std::string_view kListening = "Listening for client connections on ";
    int port = 0;
    bool promised = false;
    std::string pending;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(log_fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      size_t line_end;
      while ((line_end = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, line_end);
        pending.erase(0, line_end + 1);
        if (const size_t at = line.find(kListening); at != std::string::npos) {
          const size_t colon = line.rfind(':');
          if (colon != std::string::npos && colon > at) port = std::atoi(line.c_str() + colon + 1);
        }
        if (!promised && line.find("Server is ready") != std::string::npos) {
          ready.set_value(port);
          promised = true;
        }
        if (line.find("Slow Consumer") != std::string::npos) {
          slow_consumers_.fetch_add(1, std::memory_order_relaxed);
          std::fprintf(stderr, "nats-server: %s\n", line.c_str());
        }
      }
    }
    if (!promised) ready.set_value(0);
  }

  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::string url_;
  std::thread reader_;
  std::atomic<uint64_t> slow_consumers_{0};
};

// What the NATS client's callbacks report, from its own threads.
struct NatsNotices {
  std::atomic<uint64_t> slow_consumer{0};
  std::atomic<uint64_t> disconnects{0};

  static void on_error(natsConnection*, natsSubscription*, natsStatus error, void* closure) {
    if (error == NATS_SLOW_CONSUMER) static_cast<NatsNotices*>(closure)->slow_consumer.fetch_add(1);
  }
  static void on_disconnect(natsConnection*, void* closure) {
    static_cast<NatsNotices*>(closure)->disconnects.fetch_add(1);
  }
};

Status nats_error(const char* what, natsStatus status) {
  return Status(ErrorCode::Internal, std::string(what) + ": " + natsStatus_GetText(status));
}

// A connection that does not reconnect (a server-side disconnect must show, not heal
// silently) and reports slow-consumer errors and disconnects.
Status nats_connect(const std::string& url, bool send_asap, NatsNotices* notices, natsConnection** out) {
  natsOptions* options = nullptr;
  natsStatus s = natsOptions_Create(&options);
  if (s == NATS_OK) s = natsOptions_SetURL(options, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(options, false);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(options, &NatsNotices::on_error, notices);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(options, &NatsNotices::on_disconnect, notices);
  // Paced publishing writes each message at once (the latency case); saturation lets
  // the client fill its buffer and flushes every megabyte.
  if (s == NATS_OK) s = natsOptions_SetSendAsap(options, send_asap);
  if (s == NATS_OK) s = natsConnection_Connect(out, options);
  natsOptions_Destroy(options);
  return s == NATS_OK ? Status::ok() : nats_error("connect", s);
}

// One subscriber's thread: takes every message, reads every change, checks that the
// values count up by one and stamps the receipt.
void consume_nats(natsSubscription* subscription, Tally& tally, Watch& watch, const std::atomic<bool>& stop,
                  int index) {
  bool started = false;
  bool announced = false;
  double expected = 0;
  const auto wake_ms = static_cast<int64_t>(kConsumerWake.count());
  while (!stop.load(std::memory_order_acquire)) {
    natsMsg* message = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&message, subscription, wake_ms);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      watch.fail("NATS subscriber " + std::to_string(index) + ": " + natsStatus_GetText(s));
      return;
    }
    const int64_t now = wall_clock_ns();
    const char* data = natsMsg_GetData(message);
    const auto length = static_cast<size_t>(natsMsg_GetDataLength(message));
    const size_t count = length / kChangeBytes;
    if (count == 0 || length % kChangeBytes != 0) {
      natsMsg_Destroy(message);
      watch.fail("NATS subscriber " + std::to_string(index) + ": a message of " + std::to_string(length) + " bytes");
      return;
    }
    // The payload has no alignment guarantee: copy each struct out (a plain load).
    proto::DataChange change;
    int64_t stamp = 0;
    double sum = 0;
    for (size_t i = 0; i < count; ++i) {
      std::memcpy(&change, data + i * kChangeBytes, kChangeBytes);
      if (i == 0) stamp = change.source_time_ns();
      const double value = change.value();
      if (started && value != expected) Tally::bump(tally.breaks, 1);
      expected = value + 1;
      started = true;
      sum += value;
    }
    natsMsg_Destroy(message);
    tally.checksum += sum;
    tally.latency.add(now - stamp, count);
    Tally::bump(tally.frames, 1);
    Tally::bump(tally.changes, count);
    if (!announced) {
      announced = true;
      watch.arrived();
    }
  }
}

// The publisher's thread: changes numbered by `value` (so subscribers detect loss),
// stamped with the publish time, `per_message` to a message.
void publish_nats(natsConnection* connection, int per_message, bool paced, std::atomic<uint64_t>& published,
                  Watch& watch, const std::atomic<bool>& stop) {
  std::vector<proto::DataChange> changes(static_cast<size_t>(per_message));
  const int bytes = per_message * static_cast<int>(kChangeBytes);
  double next_value = 0;
  auto publish_one = [&]() {
    const int64_t stamp = wall_clock_ns();
    for (int i = 0; i < per_message; ++i) {
      changes[static_cast<size_t>(i)] = proto::DataChange(1, static_cast<int32_t>(i % kPacedItems) + 1, 0xC0,
                                                          proto::MxDataType::Double, 0, stamp, next_value);
      next_value += 1;
    }
    const natsStatus s = natsConnection_Publish(connection, kSubject, changes.data(), bytes);
    if (s != NATS_OK) {
      watch.fail(std::string("NATS publish: ") + natsStatus_GetText(s));
      return false;
    }
    published.store(published.load(std::memory_order_relaxed) + static_cast<uint64_t>(per_message),
                    std::memory_order_relaxed);
    return true;
  };

  if (!paced) {
    size_t unflushed = 0;
    while (!stop.load(std::memory_order_acquire)) {
      if (!publish_one()) return;
      unflushed += static_cast<size_t>(bytes);
      if (unflushed >= kNatsFlushBytes) {
        unflushed = 0;
        const natsStatus s = natsConnection_FlushTimeout(connection, 10'000);
        if (s != NATS_OK) {
          watch.fail(std::string("NATS flush: ") + natsStatus_GetText(s));
          return;
        }
      }
    }
    return;
  }
  // 20,000 changes/s: 20 one-change messages every millisecond, or one 1,000-change
  // message every 50 ms. Sleeping until the next tick is the pacing itself.
  const int64_t changes_per_tick = std::max<int64_t>(per_message, kPacedChangesPerSecond / 1000);
  const int messages_per_tick = static_cast<int>(changes_per_tick / per_message);
  const auto tick = std::chrono::nanoseconds(changes_per_tick * 1'000'000'000 / kPacedChangesPerSecond);
  auto next = Clock::now();
  while (!stop.load(std::memory_order_acquire)) {
    for (int m = 0; m < messages_per_tick; ++m) {
      if (!publish_one()) return;
    }
    next += tick;
    std::this_thread::sleep_until(next);
  }
}

class NatsRun {
 public:
  ~NatsRun() {
    stop_.store(true, std::memory_order_release);
    if (publisher_.joinable()) publisher_.join();
    for (auto& consumer : consumers_) consumer.join();
    // Close every connection (which stops and joins its reader thread) before any
    // subscription is freed. Freeing a subscription first, while its connection's
    // reader is still handing it messages, hung libnats 3.4.1 here: the reader
    // blocked on the freed subscription's mutex and the close joined it forever.
    if (publisher_connection_) natsConnection_Close(publisher_connection_);
    for (natsConnection* connection : connections_) natsConnection_Close(connection);
    for (natsSubscription* subscription : subscriptions_) natsSubscription_Destroy(subscription);
    for (natsConnection* connection : connections_) natsConnection_Destroy(connection);
    if (publisher_connection_) natsConnection_Destroy(publisher_connection_);
  }

  Status start(int subscribers, int per_message, bool paced) {
    if (Status started = server_.start(); !started.is_ok()) return started;
    for (int i = 0; i < subscribers; ++i) {
      natsConnection* connection = nullptr;
      if (Status connected = nats_connect(server_.url(), false, &notices_, &connection); !connected.is_ok()) {
        return connected;
      }
      connections_.push_back(connection);
      natsSubscription* subscription = nullptr;
      natsStatus s = natsConnection_SubscribeSync(&subscription, connection, kSubject);
      if (s != NATS_OK) return nats_error("subscribe", s);
      subscriptions_.push_back(subscription);
      s = natsSubscription_SetPendingLimits(subscription, kNatsPendingMessages, kNatsPendingBytes);
      if (s != NATS_OK) return nats_error("set pending limits", s);
      // The server has registered the subscription once this round trip returns.
      s = natsConnection_FlushTimeout(connection, 10'000);
      if (s != NATS_OK) return nats_error("flush", s);
      tallies_.push_back(std::make_unique<Tally>());
    }
    for (int i = 0; i < subscribers; ++i) {
      consumers_.emplace_back(consume_nats, subscriptions_[i], std::ref(*tallies_[i]), std::ref(watch_),
                              std::cref(stop_), i);
    }
    if (Status connected = nats_connect(server_.url(), paced, &notices_, &publisher_connection_); !connected.is_ok()) {
      return connected;
    }
    publisher_ = std::thread(publish_nats, publisher_connection_, per_message, paced, std::ref(published_),
                             std::ref(watch_), std::cref(stop_));
    if (!watch_.all_arrived(subscribers, Clock::now() + kSetupDeadline)) {
      return Status(ErrorCode::Internal, watch_.failure());
    }
    return Status::ok();
  }

  Watch& watch() { return watch_; }
  Cut cut() const {
    uint64_t dropped = 0;
    for (natsSubscription* subscription : subscriptions_) {
      int64_t mine = 0;
      if (natsSubscription_GetDropped(subscription, &mine) == NATS_OK) dropped += static_cast<uint64_t>(mine);
    }
    return take_cut(tallies_, server_.pid(), dropped);
  }
  uint64_t published() const { return published_.load(std::memory_order_relaxed); }
  uint64_t slow_consumer_notices() const {
    return notices_.slow_consumer.load() + notices_.disconnects.load() + server_.slow_consumer_notices();
  }
  double checksum() const {
    double sum = 0;
    for (const auto& t : tallies_) sum += t->checksum;
    return sum;
  }

 private:
  NatsServer server_;
  NatsNotices notices_;
  std::vector<natsConnection*> connections_;
  std::vector<natsSubscription*> subscriptions_;
  natsConnection* publisher_connection_ = nullptr;
  std::vector<std::unique_ptr<Tally>> tallies_;
  std::vector<std::thread> consumers_;
  std::thread publisher_;
  std::atomic<uint64_t> published_{0};
  std::atomic<bool> stop_{false};
  Watch watch_;
};

void BM_Nats(benchmark::State& state, int per_message) {
  const int subscribers = static_cast<int>(state.range(0));
  const bool paced = state.range(1) != 0;
  const std::string system = per_message == 1 ? "NATS 1/msg" : "NATS 1000/msg";
  for (auto _ : state) {
    NatsRun run;
    if (Status started = run.start(subscribers, per_message, paced); !started.is_ok()) {
      fail_configuration(state, system, subscribers, paced, started.to_string());
      break;
    }
    if (!run.watch().hold_until(Clock::now() + kWarmUp)) {
      fail_configuration(state, system, subscribers, paced, run.watch().failure());
      break;
    }
    const uint64_t published_before = run.published();
    const Cut before = run.cut();
    const bool held = run.watch().hold_until(before.at + kWindow);
    const Cut after = run.cut();
    const uint64_t published_after = run.published();
    if (!held) {
      fail_configuration(state, system, subscribers, paced, run.watch().failure());
      break;
    }
    const double seconds = std::chrono::duration<double>(after.at - before.at).count();
    report(state, system, paced, before, after,
           {.source = "published",
            .source_per_s = static_cast<double>(published_after - published_before) / seconds,
            .slow_consumer_notices = run.slow_consumer_notices()});
    benchmark::DoNotOptimize(run.checksum());
  }
}

void BM_NatsOneChangePerMessage(benchmark::State& state) { BM_Nats(state, 1); }
void BM_NatsBatchedPerMessage(benchmark::State& state) { BM_Nats(state, kBatchChanges); }

// Every configuration runs once: its window is the measurement (manual time).
void configurations(benchmark::internal::Benchmark* b) {
  b->ArgNames({"subs", "paced"})->ArgsProduct({{1, 4, 16}, {0, 1}});
  b->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Mxgw)->Apply(configurations);
BENCHMARK(BM_NatsOneChangePerMessage)->Apply(configurations);
BENCHMARK(BM_NatsBatchedPerMessage)->Apply(configurations);

void print_table() {
  std::printf("\n%-14s %4s %-6s %12s %12s %12s %9s %6s %10s %10s %10s  %s\n", "system", "subs", "mode", "changes/s",
              "per sub", "slowest sub", "CPU ns/ch", "cores", "p50 us", "p99 us", "p99.9 us", "notes");
  for (const Row& row : g_rows) {
    const char* mode = row.paced ? "paced" : "sat";
    if (row.changes_per_s == 0 && !row.notes.empty()) {
      std::printf("%-14s %4d %-6s %s\n", row.system.c_str(), row.subscribers, mode, row.notes.c_str());
      continue;
    }
    std::printf("%-14s %4d %-6s %12s %12s %12s %9.1f %6.2f %10.1f %10.1f %10.1f  %s\n", row.system.c_str(),
                row.subscribers, mode, format_rate(row.changes_per_s).c_str(), format_rate(row.mean_per_sub).c_str(),
                format_rate(row.slowest_sub).c_str(), row.cpu_ns_per_change, row.cores, row.p50_us, row.p99_us,
                row.p999_us, row.notes.c_str());
  }
  std::printf(
      "latency: origin stamp (mxgw worker_time_ns / NATS publish time) to the subscriber's poll, "
      "CLOCK_REALTIME, weighted per change\n");
}

}  // namespace
}  // namespace mxgw

int main(int argc, char** argv) {
  // A peer that goes away mid-write must give an error, not kill the benchmark.
  std::signal(SIGPIPE, SIG_IGN);
  if (natsStatus s = nats_Open(-1); s != NATS_OK) {
    std::fprintf(stderr, "nats_Open: %s\n", natsStatus_GetText(s));
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  mxgw::print_table();
  nats_Close();
  return 0;
}
