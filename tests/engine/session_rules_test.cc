// The session rules of DESIGN.md, each against real worker processes: identity and
// defaults, the session limit, ownership, graceful close, kill, failed opens, the
// startup timeout, leases, and the accounting after every scenario.

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <mxgw/transport/frame_verifier.h>

#include "tests/engine/engine_fixture.h"

namespace mxgw::testing {
namespace {

proto::CommandT register_command(const std::string& name = "tester") {
  proto::CommandT command;
  command.body.Set(proto::RegisterT{});
  command.body.AsRegister()->client_name = name;
  return command;
}

// "session-" and 32 lowercase hex digits.
bool is_session_id(const std::string& id) {
  const std::string prefix = "session-";
  if (id.size() != prefix.size() + 32 || id.compare(0, prefix.size(), prefix) != 0) return false;
  return id.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
}

class SessionRulesTest : public EngineFixture {};

TEST_F(SessionRulesTest, OpenGivesAReadySessionWithTheRulesDefaults) {
  engine::EngineConfig config = test_config();
  config.default_command_timeout_ms = 4321;
  config.lease_ms = 60'000;
  start(config);
  const Opened named = open(kAlice, {.client_session_name = "feeder"});
  ASSERT_TRUE(named.status.is_ok()) << named.status.to_string();
  EXPECT_TRUE(is_session_id(named.info.session_id)) << named.info.session_id;
  EXPECT_EQ(named.info.correlation_id, "feeder-" + named.info.session_id);
  EXPECT_EQ(named.info.backend, "sim");
  EXPECT_EQ(named.info.command_timeout_ms, 4321);
  EXPECT_EQ(named.info.owner, "alice");
  EXPECT_EQ(named.info.state, proto::SessionState::Ready);
  EXPECT_EQ(named.info.lease_ms, 60'000u);
  EXPECT_TRUE(process_exists(named.info.worker_pid));

  const Opened anonymous = open(kAlice, {.command_timeout_ms = 777});
  ASSERT_TRUE(anonymous.status.is_ok());
  EXPECT_EQ(anonymous.info.correlation_id, "client-" + anonymous.info.session_id);
  EXPECT_EQ(anonymous.info.command_timeout_ms, 777);
  EXPECT_NE(anonymous.info.session_id, named.info.session_id);
  // A non-positive request takes the default.
  EXPECT_EQ(open(kAlice, {.command_timeout_ms = -5}).info.command_timeout_ms, 4321);
  EXPECT_EQ(open(kAlice, {.command_timeout_ms = 0}).info.command_timeout_ms, 4321);
  EXPECT_EQ(manager_->metrics().opened.load(), 4u);
  expect_balanced();
}

TEST_F(SessionRulesTest, SessionLimitRefusesAtOnceAndEveryEndingGivesTheSlotBack) {
  engine::EngineConfig config = test_config();
  config.max_sessions = 2;
  start(config);
  const Opened first = open(kAlice);
  const Opened second = open(kAlice);
  ASSERT_TRUE(first.status.is_ok() && second.status.is_ok());
  const int children = static_cast<int>(child_processes().size());
  const Opened refused = open(kAlice);
  EXPECT_EQ(refused.status.code(), ErrorCode::SessionLimitExceeded) << refused.status.to_string();
  EXPECT_EQ(static_cast<int>(child_processes().size()), children) << "a refused open started a worker";
  EXPECT_EQ(manager_->metrics().refused.load(), 1u);

  // Close, kill and a failed open each release their slot.
  EXPECT_TRUE(close(kAlice, first.info.session_id).status.is_ok());
  const Opened third = open(kAlice);
  ASSERT_TRUE(third.status.is_ok());
  EXPECT_TRUE(kill(kAdmin, third.info.session_id, "test").is_ok());
  const Opened failed = open(kAlice, {.backend = "no-such-backend"});
  EXPECT_EQ(failed.status.code(), ErrorCode::OpenFailed);
  EXPECT_TRUE(open(kAlice).status.is_ok());
  expect_balanced();
}

TEST_F(SessionRulesTest, CommandsRoundTripWithTheirReplies) {
  start(test_config());
  const Opened opened = open(kAlice);
  ASSERT_TRUE(opened.status.is_ok());
  const engine::CommandResult result = invoke(kAlice, opened.info.session_id, register_command());
  ASSERT_TRUE(result.status.is_ok()) << result.status.to_string();
  const proto::Reply* reply = transport::worker_frame(result.reply_frame)->message_as_Reply();
  EXPECT_EQ(reply->error(), proto::CommandError::None);
  EXPECT_GT(reply->body_as_ServerHandleReply()->server_handle(), 0);
  EXPECT_EQ(manager_->metrics().command_latency_ns.snapshot().total, 1u);
}

TEST_F(SessionRulesTest, SessionsBelongToTheirKey) {
  start(test_config());
  const Opened alices = open(kAlice);
  const Opened bobs = open(kBob);
  ASSERT_TRUE(alices.status.is_ok() && bobs.status.is_ok());
  EXPECT_EQ(invoke(kBob, alices.info.session_id, register_command()).status.code(), ErrorCode::NotFound);
  EXPECT_EQ(close(kBob, alices.info.session_id).status.code(), ErrorCode::NotFound);
  EXPECT_EQ(kill(kBob, alices.info.session_id, "mine now").code(), ErrorCode::NotFound);
  EXPECT_EQ(renew(kBob, alices.info.session_id).code(), ErrorCode::NotFound);
  ASSERT_EQ(list(kAlice).size(), 1u);
  EXPECT_EQ(list(kAlice)[0].session_id, alices.info.session_id);
  EXPECT_EQ(list(kAdmin).size(), 2u);
  EXPECT_TRUE(kill(kAdmin, bobs.info.session_id, "admin says so").is_ok());
  EXPECT_EQ(list(kAdmin).size(), 1u);
  EXPECT_TRUE(invoke(kAlice, alices.info.session_id, register_command()).status.is_ok());
  expect_balanced();
}

TEST_F(SessionRulesTest, CloseIsGracefulAndASecondCloseSaysAlreadyClosed) {
  start(test_config());
  const Opened opened = open(kAlice);
  ASSERT_TRUE(opened.status.is_ok());
  const Closed closed = close(kAlice, opened.info.session_id);
  EXPECT_TRUE(closed.status.is_ok());
  EXPECT_FALSE(closed.already_closed);
  // Answered once the worker is gone.
  EXPECT_FALSE(process_exists(opened.info.worker_pid));
  const Closed again = close(kAlice, opened.info.session_id);
  EXPECT_TRUE(again.status.is_ok());
  EXPECT_TRUE(again.already_closed);
  EXPECT_EQ(invoke(kAlice, opened.info.session_id, register_command()).status.code(), ErrorCode::AlreadyClosed);
  EXPECT_EQ(manager_->metrics().closed.load(), 1u);
  EXPECT_EQ(manager_->metrics().killed.load(), 0u);
  expect_balanced();
}

TEST_F(SessionRulesTest, KillNeedsAReasonAndARacingCloseIsCountedOnce) {
  start(test_config());
  const Opened opened = open(kAlice);
  ASSERT_TRUE(opened.status.is_ok());
  EXPECT_EQ(kill(kAdmin, opened.info.session_id, "").code(), ErrorCode::InvalidArgument);
  for (int round = 0; round < 5; ++round) {
    const Opened racer = open(kAlice);
    ASSERT_TRUE(racer.status.is_ok());
    auto closed = std::async(std::launch::async, [&] { return close(kAlice, racer.info.session_id); });
    const Status killed = kill(kAdmin, racer.info.session_id, "race");
    EXPECT_TRUE(closed.get().status.is_ok());
    EXPECT_TRUE(killed.is_ok() || killed.code() == ErrorCode::AlreadyClosed) << killed.to_string();
  }
  expect_balanced();
  EXPECT_EQ(manager_->metrics().closed.load() + manager_->metrics().killed.load(), 5u);
}

TEST_F(SessionRulesTest, FailureAfterRegistrationRestoresEverything) {
  start(test_config());
  // A good session on every shard first, so that what each loop sets up once (libuv
  // keeps a spare descriptor per listening loop) is counted out.
  std::set<uint32_t> warmed;
  while (warmed.size() < manager_->shard_count()) {
    const Opened warm_up = open(kAlice);
    ASSERT_TRUE(warm_up.status.is_ok());
    warmed.insert(warm_up.info.shard);
    close(kAlice, warm_up.info.session_id);
  }
  const uint64_t warm_up_closes = manager_->metrics().closed.load();
  const size_t descriptors = open_descriptors();
  const Opened failed = open(kAlice, {.backend = "sim", .backend_options = {{"colour", "red"}}});
  EXPECT_EQ(failed.status.code(), ErrorCode::OpenFailed);
  EXPECT_NE(failed.status.message().find("colour"), std::string::npos) << failed.status.to_string();
  // Answered only when nothing is left of it.
  EXPECT_EQ(manager_->metrics().sessions_open.load(), 0);
  EXPECT_EQ(manager_->registry_size(), 0);
  EXPECT_EQ(manager_->metrics().faulted[static_cast<size_t>(ErrorCode::OpenFailed)].load(), 1u);
  EXPECT_EQ(manager_->metrics().closed.load(), warm_up_closes);
  EXPECT_TRUE(child_processes().empty());
  EXPECT_EQ(open_descriptors(), descriptors);
  EXPECT_TRUE(list(kAdmin).empty());
  expect_balanced();
}

TEST_F(SessionRulesTest, WorkerThatNeverHandshakesIsKilledAtTheStartupTimeout) {
  engine::EngineConfig config = test_config();
  char dir[] = "/tmp/mxgw-engine-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string script = std::string(dir) + "/silent-worker";
  std::ofstream(script) << "#!/bin/sh\nexec sleep 600\n";
  ::chmod(script.c_str(), 0700);
  config.worker_path = script;
  config.startup_timeout_ms = 300;
  start(config);
  const Opened opened = open(kAlice);
  EXPECT_EQ(opened.status.code(), ErrorCode::OpenFailed);
  EXPECT_NE(opened.status.message().find("300 ms"), std::string::npos) << opened.status.to_string();
  EXPECT_TRUE(child_processes().empty());
  expect_balanced();
  ::unlink(script.c_str());
  ::rmdir(dir);
}

TEST_F(SessionRulesTest, AnExpiredLeaseClosesTheSessionExactlyOnce) {
  engine::EngineConfig config = test_config();
  config.lease_ms = 300;
  config.lease_sweep_interval_ms = 20;
  start(config);
  const Opened kept = open(kAlice);
  const Opened dropped = open(kAlice);
  ASSERT_TRUE(kept.status.is_ok() && dropped.status.is_ok());
  // Keep renewing one until the other has expired.
  ASSERT_TRUE(eventually([&] {
    EXPECT_TRUE(renew(kAlice, kept.info.session_id).is_ok());
    return list(kAlice).size() == 1;
  }));
  EXPECT_EQ(list(kAlice)[0].session_id, kept.info.session_id);
  EXPECT_EQ(manager_->metrics().expired.load(), 1u);
  EXPECT_EQ(renew(kAlice, dropped.info.session_id).code(), ErrorCode::AlreadyClosed);
  EXPECT_TRUE(close(kAlice, dropped.info.session_id).already_closed);
  expect_balanced();
  EXPECT_EQ(manager_->metrics().expired.load(), 1u);
  EXPECT_EQ(manager_->metrics().closed.load(), 0u);
}

}  // namespace
}  // namespace mxgw::testing
