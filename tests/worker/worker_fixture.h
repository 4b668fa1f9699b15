// A test fixture that plays the gateway for one real mxgw-worker process: it starts
// the worker through engine::WorkerLink (real uv_spawn, real Unix socket, real
// handshake), sends commands, and collects every event in production order.
// Everything waits on conditions with deadlines; nothing sleeps.

#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <uv.h>

#include <mxgw/transport/event_cursor.h>

#include "engine/core/worker_link.h"

namespace mxgw::testing {

// One event, flattened for assertions.
struct SeenEvent {
  transport::EventRef::Kind kind;
  int32_t server_handle = 0;
  int32_t item_handle = 0;
  proto::MxDataType data_type = proto::MxDataType::NoData;
  double number = 0;
  std::string text;
  uint32_t quality = 0;
  int64_t source_time_ns = 0;
  uint64_t write_id = 0;
  bool success = true;
  size_t samples = 0;       // buffered changes
  int64_t received_ns = 0;  // steady clock, when the frame reached the test
};

// The answer to one command.
struct CommandAnswer {
  proto::CommandError error = proto::CommandError::None;
  std::string message;
  proto::MxStatus status;
  proto::ReplyBody body = proto::ReplyBody::NONE;
  int32_t handle = 0;  // server or item handle, or user id
  uint64_t write_id = 0;
  std::vector<int32_t> handles;  // batch replies
  std::vector<proto::CommandError> errors;
};

using CommandFactory =
    std::function<std::pair<proto::CommandBody, flatbuffers::Offset<void>>(flatbuffers::FlatBufferBuilder&)>;

// One worker process and what it has said: its readiness, fault, exit, replies and
// events. Several peers may share one loop.
class WorkerPeer : public engine::WorkerLink::Observer {
 public:
  explicit WorkerPeer(uv_loop_t* loop) : peer_loop_(loop) {}

  // Starts the worker; true once Ready, false if it faulted first.
  bool start(engine::WorkerLaunch launch);
  // Starts the worker without waiting for it.
  void start_async(engine::WorkerLaunch launch);
  // Runs the loop until `done` holds; false at the deadline.
  bool run_until(const std::function<bool()>& done, uint64_t timeout_ms = 15'000);
  // Kills the worker if it still runs, and waits until it is reaped.
  void reap();

  CommandAnswer invoke(const CommandFactory& make);
  // Shortcuts for the common commands.
  int32_t register_client(const std::string& name = "tester");
  int32_t add_item(int32_t server, const std::string& tag);
  CommandAnswer advise(int32_t server, int32_t item);
  CommandAnswer write_double(int32_t server, int32_t item, double value, int64_t timestamp_ns = 0);

  // Events of one item so far, in order.
  std::vector<SeenEvent> events_of(int32_t item, transport::EventRef::Kind kind) const;
  size_t count_of(int32_t item, transport::EventRef::Kind kind) const { return events_of(item, kind).size(); }

  std::unique_ptr<engine::WorkerLink> link_;
  bool ready_ = false;
  std::optional<Status> fault_;
  bool exited_ = false;
  int64_t exit_status_ = -1;
  int term_signal_ = -1;
  std::vector<SeenEvent> events_;
  uint64_t coalesced_ = 0;

 private:
  void on_ready(engine::WorkerLink&) override { ready_ = true; }
  void on_fault(engine::WorkerLink&, const Status& why) override { fault_ = why; }
  void on_reply(engine::WorkerLink&, const proto::Reply& reply, const transport::SharedBytes&) override;
  void on_events(engine::WorkerLink&, transport::Frame&& frame) override;
  void on_exit(engine::WorkerLink&, int64_t exit_status, int term_signal) override;

  uv_loop_t* peer_loop_;
  uint64_t next_correlation_ = 1;
  std::map<uint64_t, CommandAnswer> answers_;
};

// A test with a private runtime directory, a loop, and one worker peer (the
// fixture itself); tests may add more peers on the same loop.
class WorkerFixture : public ::testing::Test, public WorkerPeer {
 protected:
  WorkerFixture() : WorkerPeer(&loop_) {}
  void SetUp() override;
  void TearDown() override;

  engine::WorkerLaunch launch(const std::string& backend,
                              std::vector<std::pair<std::string, std::string>> options = {});
  std::string worker_path() const;

  std::string runtime_dir_;
  uv_loop_t loop_{};
};

}  // namespace mxgw::testing
