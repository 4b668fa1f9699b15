// Workers that misbehave under the real daemon: one that hangs at startup, in the
// middle of a command or at shutdown, and one that writes noise, a truncated frame or
// an oversized length. Each faults (or ends) only its own session, with a reason that
// names the fault, and leaves no process behind; everything else carries on.

#include <chrono>
#include <string>

#include "tests/fault/fault_fixture.h"
#include "tests/support/await.h"
#include "tests/support/process_census.h"

namespace mxgw::testing {
namespace {

class WorkerFaultsTest : public FaultFixture {
 protected:
  // Opens a session on `backend` with a command timeout; keeps its id and worker.
  void open_fault_session(const std::string& backend, int32_t command_timeout_ms = 0) {
    client_ = connect(client_key_);
    ASSERT_TRUE(client_);
    client::OpenSessionRequest request;
    request.backend = backend;
    request.command_timeout_ms = command_timeout_ms;
    const auto opened = await(client_->open_session(request));
    ASSERT_TRUE(opened.ok()) << opened.status.to_string();
    session_ = opened.value.session_id;
    worker_ = worker_of(*client_, session_);
    ASSERT_TRUE(process_exists(worker_));
  }

  // Register, then AddItem: the command the fault backends misbehave in. The
  // AddItem's result.
  client::Result<client::InvokeAnswer> add_item() {
    proto::CommandT reg;
    reg.body.Set(proto::RegisterT{});
    reg.body.AsRegister()->client_name = "fault";
    const auto registered = await(client_->invoke(session_, reg));
    EXPECT_TRUE(registered.ok()) << registered.status.to_string();
    if (!registered.ok()) return registered;
    proto::CommandT add;
    add.body.Set(proto::AddItemT{});
    add.body.AsAddItem()->server_handle = registered.value.reply.body.AsServerHandleReply()->server_handle;
    add.body.AsAddItem()->item_def = "Line_000.Counter";
    return await(client_->invoke(session_, add));
  }

  // The session is gone from the daemon's list and its worker from the system.
  void expect_session_gone() {
    EXPECT_TRUE(eventually([&] { return worker_of(*client_, session_) == 0; })) << session_ << " is still listed";
    EXPECT_TRUE(eventually([&] { return !process_exists(worker_); })) << "worker " << worker_ << " is still there";
  }

  // A worker that writes bad bytes in place of a reply: the command fails with
  // SessionFaulted and a reason naming what was wrong, the session is gone, counted
  // once as faulted.
  void expect_bad_bytes_fault(const std::string& mode, const std::string& named_in_reason) {
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_NO_FATAL_FAILURE(open_fault_session("fault-" + mode));
    const auto added = add_item();
    EXPECT_EQ(added.status.code(), ErrorCode::SessionFaulted) << added.status.to_string();
    EXPECT_NE(added.status.message().find(named_in_reason), std::string::npos) << added.status.to_string();
    expect_session_gone();
    EXPECT_EQ(counted().endings(), "closed 0, expired 0, killed 0, faulted 1, SessionFaulted 1");
    client_.reset();
    expect_unharmed();
  }

  std::unique_ptr<client::GatewayClient> client_;
  std::string session_;
  int worker_ = 0;
};

TEST_F(WorkerFaultsTest, AWorkerThatHangsAtStartupFailsTheOpenAtTheStartupTimeout) {
  ASSERT_NO_FATAL_FAILURE(start({"--startup-timeout-ms", "500"}));
  client_ = connect(client_key_);
  client::OpenSessionRequest request;
  request.backend = "fault-hang-startup";
  const auto began = std::chrono::steady_clock::now();
  const auto opened = await(client_->open_session(request));
  EXPECT_EQ(opened.status.code(), ErrorCode::OpenFailed) << opened.status.to_string();
  EXPECT_NE(opened.status.message().find("within 500 ms"), std::string::npos) << opened.status.to_string();
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(500));
  const MetricsScrape after = counted();
  EXPECT_EQ(after.endings(), "closed 0, expired 0, killed 0, faulted 1, OpenFailed 1");
  EXPECT_EQ(after["mxgw_sessions_opened_total"], 0);
  client_.reset();
  expect_unharmed();
}

TEST_F(WorkerFaultsTest, AWorkerThatHangsMidCommandIsFaultedAtTheCommandTimeout) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_NO_FATAL_FAILURE(open_fault_session("fault-hang-command", 300));
  const auto added = add_item();
  EXPECT_EQ(added.status.code(), ErrorCode::CommandTimeout) << added.status.to_string();
  EXPECT_NE(added.status.message().find("within 300 ms"), std::string::npos) << added.status.to_string();
  expect_session_gone();
  EXPECT_EQ(counted().endings(), "closed 0, expired 0, killed 0, faulted 1, CommandTimeout 1");
  client_.reset();
  expect_unharmed();
}

TEST_F(WorkerFaultsTest, AWorkerThatHangsAtShutdownIsKilledAfterTheShutdownTimeout) {
  ASSERT_NO_FATAL_FAILURE(start({"--shutdown-timeout-ms", "500"}));
  ASSERT_NO_FATAL_FAILURE(open_fault_session("fault-hang-shutdown"));
  const auto began = std::chrono::steady_clock::now();
  const auto closed = await(client_->close_session(session_));
  const auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(closed.ok()) << closed.status.to_string();
  EXPECT_FALSE(closed.value.already_closed);
  // The worker answered Shutdown and closed its connection, but never exited: only
  // the kill at the shutdown timeout ends the close.
  EXPECT_GE(took, std::chrono::milliseconds(500));
  EXPECT_FALSE(process_exists(worker_)) << "the close answered before the worker was gone";
  EXPECT_TRUE(await(client_->close_session(session_)).value.already_closed);
  EXPECT_EQ(counted().endings(), "closed 1, expired 0, killed 0, faulted 0");
  client_.reset();
  expect_unharmed();
}

TEST_F(WorkerFaultsTest, AWorkerThatWritesNoiseIsFaultedByFrameVerification) {
  expect_bad_bytes_fault("garbage", "MalformedFrame");
}

TEST_F(WorkerFaultsTest, AWorkerThatStopsInTheMiddleOfAFrameIsFaulted) {
  expect_bad_bytes_fault("truncated", "in the middle of a frame");
}

TEST_F(WorkerFaultsTest, AWorkerThatAnnouncesAnOversizedFrameIsFaultedAtTheLengthCheck) {
  expect_bad_bytes_fault("oversized", "exceeds the limit of");
}

TEST_F(WorkerFaultsTest, AWorkerKilledInTheMiddleOfAFrameIsReportedWithTheSignal) {
  // Its stream ends in the middle of a frame before the kernel reports the death:
  // the reason must still say what happened to the worker.
  expect_bad_bytes_fault("killed-mid-frame", "killed by signal 9");
}

}  // namespace
}  // namespace mxgw::testing
