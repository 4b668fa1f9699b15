// Throughput of one real mxgw-worker into its connection: a `sim` worker process,
// its Unix socket, and the gateway's receiving side (engine::WorkerLink: decoder,
// flatbuffers verification of every frame) reading every change's value.
//
// Each run advises `items` tags of one generator at a 1 ms rate, so the worker is
// offered items × 1000 changes per second; what it cannot push through the socket
// it coalesces and reports. Counters: changes/s delivered, coalesced/s, MB/s.
//
// Reference from the issue: a single producer writing verified flatbuffers batches
// of fixed-size change structs through one Unix socket moves about 80 M changes/s
// on this machine.

#include <benchmark/benchmark.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/payload_builder.h>

#include "engine/core/worker_link.h"

namespace mxgw {
namespace {

class Consumer final : public engine::WorkerLink::Observer {
 public:
  void on_ready(engine::WorkerLink&) override { ready = true; }
  void on_fault(engine::WorkerLink&, const Status& why) override { fault = why.to_string(); }
  void on_reply(engine::WorkerLink&, const proto::Reply& reply, const transport::SharedBytes&) override {
    last_reply = reply.correlation_id();
    if (reply.body_type() == proto::ReplyBody::BatchReply && reply.body_as_BatchReply()->handles()) {
      const auto* handles = reply.body_as_BatchReply()->handles();
      item_handles.assign(handles->begin(), handles->end());
    }
    if (reply.body_type() == proto::ReplyBody::ServerHandleReply) {
      server_handle = reply.body_as_ServerHandleReply()->server_handle();
    }
  }
  void on_events(engine::WorkerLink&, transport::Frame&& frame) override {
    const proto::EventBatch* batch = transport::event_batch(frame.payload);
    coalesced += batch->coalesced_changes();
    bytes += frame.payload.size();
    if (const auto* changes = batch->changes()) {
      for (const proto::DataChange* change : *changes) checksum += change->value();
      changes_seen += changes->size();
    }
  }
  void on_exit(engine::WorkerLink&, int64_t, int) override { exited = true; }

  bool ready = false;
  bool exited = false;
  std::string fault;
  uint64_t last_reply = 0;
  int32_t server_handle = 0;
  std::vector<int32_t> item_handles;
  uint64_t changes_seen = 0;
  uint64_t coalesced = 0;
  uint64_t bytes = 0;
  double checksum = 0;
};

struct Generator {
  const char* type;
  const char* attribute;
};
constexpr Generator kGenerators[] = {{"Line", "Counter"}, {"Valve", "Position"}, {"Line", "Rate"}, {"Pump", "Speed"}};

void run_loop_until(uv_loop_t* loop, const std::function<bool()>& done) {
  while (!done()) uv_run(loop, UV_RUN_ONCE);
}

void BM_WorkerToConnection(benchmark::State& state) {
  const Generator generator = kGenerators[state.range(0)];
  const int items = static_cast<int>(state.range(1));
  std::signal(SIGPIPE, SIG_IGN);
  char dir_pattern[] = "/tmp/mxgw-bench-XXXXXX";
  const std::string dir = mkdtemp(dir_pattern);
  ::chmod(dir.c_str(), 0700);
  uv_loop_t loop;
  uv_loop_init(&loop);

  Consumer consumer;
  engine::WorkerLaunch launch;
  launch.worker_path = MXGW_WORKER_PATH;
  launch.session_id = "session-bench";
  launch.socket_path = dir + "/bench.sock";
  launch.backend = "sim";
  launch.backend_options = {{"rate_ms", "1"}, {"tags", std::string(generator.type) + ":" + std::to_string(items)}};
  engine::WorkerLink link(&loop, launch, &consumer);
  link.start();
  run_loop_until(&loop, [&] { return consumer.ready || !consumer.fault.empty(); });
  if (!consumer.ready) {
    state.SkipWithError(consumer.fault.c_str());
    return;
  }

  transport::PayloadBuilder builder;
  uint64_t correlation = 0;
  auto command = [&](auto make) {
    auto& fbb = builder.fbb();
    const auto [type, body] = make(fbb);
    const auto c = proto::CreateCommand(fbb, ++correlation, type, body);
    link.send_command(builder.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::Command, c.Union()),
                                     proto::WorkerFrameIdentifier()));
    run_loop_until(&loop, [&] { return consumer.last_reply == correlation; });
  };
  command([](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::Register, proto::CreateRegister(fbb, fbb.CreateString("bench")).Union()};
  });
  std::vector<std::string> tags;
  for (int i = 0; i < items; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%s_%03d.%s", generator.type, i, generator.attribute);
    tags.emplace_back(name);
  }
  command([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AddItems,
                     proto::CreateAddItems(fbb, consumer.server_handle, fbb.CreateVectorOfStrings(tags)).Union()};
  });
  const std::vector<int32_t> handles = consumer.item_handles;
  command([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AdviseItems,
                     proto::CreateAdviseItems(fbb, consumer.server_handle, fbb.CreateVector(handles)).Union()};
  });

  // Warm up for 200 ms, then measure.
  const auto warm_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  run_loop_until(&loop, [&] { return std::chrono::steady_clock::now() >= warm_until; });
  for (auto _ : state) {
    const uint64_t changes0 = consumer.changes_seen, coalesced0 = consumer.coalesced, bytes0 = consumer.bytes;
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::seconds(2);
    run_loop_until(&loop, [&] { return std::chrono::steady_clock::now() >= until; });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(seconds);
    state.counters["changes_per_s"] = static_cast<double>(consumer.changes_seen - changes0) / seconds;
    state.counters["coalesced_per_s"] = static_cast<double>(consumer.coalesced - coalesced0) / seconds;
    state.counters["MB_per_s"] = static_cast<double>(consumer.bytes - bytes0) / seconds / 1e6;
    state.counters["offered_per_s"] = items * 1000.0;
  }
  benchmark::DoNotOptimize(consumer.checksum);
  state.SetLabel(std::string(generator.type) + "." + generator.attribute);
  link.shutdown(2'000);
  run_loop_until(&loop, [&] { return consumer.exited; });
  uv_loop_close(&loop);
  std::filesystem::remove_all(dir);
}

// generator index × items (offered rate = items × 1000/s)
BENCHMARK(BM_WorkerToConnection)
    ->ArgsProduct({{0, 1, 2, 3}, {100'000}})
    ->Args({0, 20'000})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mxgw

BENCHMARK_MAIN();
