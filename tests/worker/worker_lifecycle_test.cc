// How a real mxgw-worker starts and ends: handshake refusals with their causes and
// exit codes, SIGTERM, the connection closing under it, and a worker that never
// answers being killed at the startup timeout.

#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/listener.h>

#include "tests/worker/worker_fixture.h"

namespace mxgw::testing {
namespace {

class WorkerLifecycleTest : public WorkerFixture {
 protected:
  // An executable script standing in for the worker binary.
  std::string script(const std::string& name, const std::string& body) {
    const std::string path = runtime_dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0700);
    return path;
  }

  void expect_refused_start(engine::WorkerLaunch l, const std::string& cause, int64_t exit_status) {
    EXPECT_FALSE(start(std::move(l)));
    ASSERT_TRUE(fault_.has_value());
    EXPECT_EQ(fault_->code(), ErrorCode::OpenFailed);
    EXPECT_NE(fault_->message().find(cause), std::string::npos) << fault_->to_string();
    ASSERT_TRUE(run_until([&] { return exited_; }));
    EXPECT_EQ(exit_status_, exit_status);
  }
};

TEST_F(WorkerLifecycleTest, UnknownBackendIsRefusedWithItsName) {
  expect_refused_start(launch("historian9000"), "historian9000", 78);
}

TEST_F(WorkerLifecycleTest, BadBackendOptionsNameTheKey) {
  expect_refused_start(launch("sim", {{"colour", "red"}}), "colour", 78);
}

TEST_F(WorkerLifecycleTest, WrongNonceIsRefused) {
  engine::WorkerLaunch l = launch("sim");
  // The real worker, handed a nonce other than the session's.
  l.worker_path = script("impostor", "cat >/dev/null\nprintf '%064d\\n' 0 | exec " + worker_path() + " \"$@\"");
  expect_refused_start(std::move(l), "nonce", 77);
}

TEST_F(WorkerLifecycleTest, SilentWorkerIsKilledAtTheStartupTimeout) {
  engine::WorkerLaunch l = launch("sim");
  l.worker_path = script("mute", "exec sleep 600");
  l.startup_timeout_ms = 200;
  EXPECT_FALSE(start(std::move(l)));
  ASSERT_TRUE(fault_.has_value());
  EXPECT_NE(fault_->message().find("200 ms"), std::string::npos) << fault_->to_string();
  ASSERT_TRUE(run_until([&] { return exited_; }));
  EXPECT_EQ(term_signal_, SIGKILL);
}

TEST_F(WorkerLifecycleTest, SigtermIsAGracefulExit) {
  ASSERT_TRUE(start(launch("sim", {{"rate_ms", "1"}})));
  const int32_t server = register_client();
  advise(server, add_item(server, "Tank_001.Level"));
  ASSERT_TRUE(run_until([&] { return events_.size() > 10; }));
  ::kill(link_->pid(), SIGTERM);
  ASSERT_TRUE(run_until([&] { return exited_; }));
  EXPECT_EQ(exit_status_, 0);
  EXPECT_EQ(term_signal_, 0);
}

// Plays a gateway by hand: accepts the worker's connection, reads its hello, then
// either refuses it or hangs up, and watches the process exit on its own.
class RawGatewayTest : public WorkerFixture, transport::StreamEndpoint::Handler {
 protected:
  void spawn_worker() {
    const std::string socket = runtime_dir_ + "/raw.sock";
    Status status;
    listener_ = transport::Listener::listen_unix(
        &loop_, socket, {},
        [this](transport::StreamEndpoint* e) {
          endpoint_ = e;
          e->start(this);
        },
        &status);
    ASSERT_TRUE(status.is_ok()) << status.to_string();
    std::vector<std::string> args = {worker_path(), "--endpoint", socket, "--session-id",
                                     "session-raw", "--backend",  "sim"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    uv_pipe_init(&loop_, &stdin_, 0);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
    stdio[0].data.stream = reinterpret_cast<uv_stream_t*>(&stdin_);
    stdio[1].flags = UV_IGNORE;
    stdio[2].flags = UV_IGNORE;
    uv_process_options_t options{};
    options.file = argv[0];
    options.args = argv.data();
    options.stdio_count = 3;
    options.stdio = stdio;
    options.exit_cb = [](uv_process_t* p, int64_t status_code, int signal) {
      auto* self = static_cast<RawGatewayTest*>(p->data);
      self->exited_ = true;
      self->exit_status_ = status_code;
      self->term_signal_ = signal;
      uv_close(reinterpret_cast<uv_handle_t*>(p), nullptr);
    };
    process_.data = this;
    ASSERT_EQ(uv_spawn(&loop_, &process_, &options), 0);
    static char nonce[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    uv_buf_t buf = uv_buf_init(nonce, sizeof nonce - 1);
    ASSERT_GT(uv_try_write(reinterpret_cast<uv_stream_t*>(&stdin_), &buf, 1), 0);
    uv_close(reinterpret_cast<uv_handle_t*>(&stdin_), nullptr);
    ASSERT_TRUE(run_until([&] { return hello_seen_; })) << "no hello from the worker";
  }

  void TearDown() override {
    if (!exited_) {
      uv_process_kill(&process_, SIGKILL);
      run_until([&] { return exited_; });
    }
    if (listener_) listener_->close();
    if (endpoint_) endpoint_->abort();
    run_until([&] { return endpoint_ == nullptr; });
    WorkerFixture::TearDown();
  }

  void on_frame(transport::StreamEndpoint&, transport::Frame&& frame) override {
    const auto* message = transport::worker_frame(frame.payload);
    if (message->message_type() == proto::WorkerMessage::WorkerHello) {
      hello_seen_ = true;
      hello_version_ = message->message_as_WorkerHello()->protocol_version();
      hello_nonce_size_ = message->message_as_WorkerHello()->nonce()->size();
    }
  }
  void on_stream_error(transport::StreamEndpoint&, const Status&) override {}
  void on_closed(transport::StreamEndpoint&) override { endpoint_ = nullptr; }

  transport::Listener* listener_ = nullptr;
  transport::StreamEndpoint* endpoint_ = nullptr;
  uv_process_t process_{};
  uv_pipe_t stdin_{};
  bool hello_seen_ = false;
  uint32_t hello_version_ = 0;
  size_t hello_nonce_size_ = 0;
};

TEST_F(RawGatewayTest, HelloCarriesVersionAndNonce) {
  spawn_worker();
  EXPECT_EQ(hello_version_, transport::kProtocolVersion);
  EXPECT_EQ(hello_nonce_size_, 32u);
}

TEST_F(RawGatewayTest, RefusedVersionEndsTheWorkerWithItsExitCode) {
  spawn_worker();
  transport::PayloadBuilder builder;
  auto& fbb = builder.fbb();
  const auto refused = proto::CreateWorkerRefused(fbb, proto::HandshakeError::ProtocolVersionMismatch,
                                                  fbb.CreateString("gateway speaks protocol 2"));
  endpoint_->send(transport::FrameKind::WorkerControl,
                  builder.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::WorkerRefused, refused.Union()),
                                 proto::WorkerFrameIdentifier()));
  ASSERT_TRUE(run_until([&] { return exited_; }));
  EXPECT_EQ(exit_status_, 77);
}

TEST_F(RawGatewayTest, WorkerExitsWhenItsConnectionCloses) {
  spawn_worker();
  endpoint_->abort();
  ASSERT_TRUE(run_until([&] { return exited_; })) << "the worker outlived its connection";
  EXPECT_EQ(term_signal_, 0);
  EXPECT_EQ(exit_status_, 69);  // closed before the handshake finished: a connection failure
}

}  // namespace
}  // namespace mxgw::testing
