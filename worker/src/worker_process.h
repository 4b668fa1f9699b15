// WorkerProcess: one mxgw-worker's life, from handshake to exit.
//
//   connect to the session's Unix socket → WorkerHello (session id, nonce, backend,
//   pid) → WorkerWelcome (backend options) → create the backend → WorkerReady →
//   serve commands and stream events → Shutdown command, SIGTERM/SIGINT, or the
//   connection closing → flush and exit.
//
// Production runs in rounds on the loop: each round asks the backend for every
// update due now (bounded, so commands are never starved), seals the batch, and
// schedules the next round for when the backend next has work. While the connection
// pushes back, production stops; when it drains, the backlog is coalesced to each
// item's newest value and the count is reported in the next batch.
//
// Thread safety: single-threaded; run() owns the calling thread until exit.

#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/stream_endpoint.h>

#include "worker/src/backend.h"
#include "worker/src/event_batcher.h"
#include "worker/src/mx_server.h"

namespace mxgw::worker {

// Exit codes, also documented in --help.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,       // bad command line or nonce
  kExitConnection = 69,  // could not connect, or the connection failed
  kExitRefused = 77,     // the gateway refused the handshake
  kExitBackend = 78,     // unknown backend or rejected backend options
  kExitProtocol = 76,    // the gateway sent something invalid
};

struct WorkerConfig {
  std::string endpoint_path;
  std::string session_id;
  std::string backend;
  std::string plugin_path;
  std::string replay_dir;
  std::vector<uint8_t> nonce;
  uint64_t handshake_timeout_ms = 10'000;
  uint32_t max_batch_events = 2048;
  uint64_t round_budget = 65'536;
};

class WorkerProcess final : transport::StreamEndpoint::Handler {
 public:
  explicit WorkerProcess(WorkerConfig config);
  ~WorkerProcess() override;

  // Runs until the worker is done; returns the process exit code.
  int run();

 private:
  enum class Phase { Connecting, AwaitingWelcome, Serving, Stopping };

  static transport::StreamEndpoint::Options connection_options();
  void on_connected(const Status& status, transport::StreamEndpoint* endpoint);
  void on_frame(transport::StreamEndpoint& endpoint, transport::Frame&& frame) override;
  void on_stream_error(transport::StreamEndpoint& endpoint, const Status& why) override;
  void on_backpressure(transport::StreamEndpoint& endpoint, bool blocked) override;
  void on_closed(transport::StreamEndpoint& endpoint) override;

  void handle_welcome(const proto::WorkerWelcome& welcome);
  void handle_command(const proto::Command& command);
  void send_control(transport::SharedBytes payload);
  void send_ready(proto::HandshakeError code, const std::string& message);

  void schedule_round(int64_t due_ns);
  void run_round();
  void stop(int exit_code, const std::string& why);
  void close_handles();
  std::array<uv_handle_t*, 5> loop_handles();

  WorkerConfig config_;
  uv_loop_t loop_{};
  uv_idle_t round_now_{};
  uv_timer_t round_later_{};
  uv_timer_t handshake_deadline_{};
  uv_signal_t sigterm_{};
  uv_signal_t sigint_{};
  transport::StreamEndpoint* endpoint_ = nullptr;
  transport::PayloadBuilder control_builder_;
  std::unique_ptr<Backend> backend_;
  EventBatcher batcher_;
  std::unique_ptr<MxServer> server_;
  Phase phase_ = Phase::Connecting;
  bool blocked_ = false;
  bool round_pending_ = false;
  int exit_code_ = kExitOk;
};

}  // namespace mxgw::worker
