// Blocking wrappers and census helpers for engine tests.

#include "tests/engine/engine_fixture.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include <mxgw/transport/frame_verifier.h>

#include "tests/support/eventually.h"

namespace mxgw::testing {

void EngineFixture::TearDown() {
  if (!manager_) return;
  manager_->shutdown();
  expect_balanced();
  EXPECT_EQ(manager_->metrics().sessions_open.load(), 0);
  manager_.reset();
  EXPECT_TRUE(child_processes().empty()) << "worker processes left behind";
}

engine::EngineConfig EngineFixture::test_config() const {
  engine::EngineConfig config;
  config.shards = 2;
  config.max_sessions = 16;
  config.worker_path = MXGW_WORKER_PATH;
  config.startup_timeout_ms = 10'000;
  config.shutdown_timeout_ms = 2'000;
  config.default_command_timeout_ms = 5'000;
  return config;
}

void EngineFixture::start(engine::EngineConfig config) {
  manager_ = std::make_unique<engine::SessionManager>(std::move(config));
  const Status started = manager_->start();
  ASSERT_TRUE(started.is_ok()) << started.to_string();
}

Opened EngineFixture::open(const engine::Caller& caller, engine::OpenRequest request) {
  auto promise = std::make_shared<std::promise<Opened>>();
  manager_->open(caller, std::move(request), [promise](const Status& status, const engine::SessionInfo& info) {
    promise->set_value({status, info});
  });
  return await(promise->get_future());
}

engine::CommandResult EngineFixture::invoke(const engine::Caller& caller, const std::string& id,
                                            proto::CommandT command) {
  auto promise = std::make_shared<std::promise<engine::CommandResult>>();
  manager_->invoke(caller, id, std::move(command),
                   [promise](engine::CommandResult result) { promise->set_value(std::move(result)); });
  return await(promise->get_future());
}

Closed EngineFixture::close(const engine::Caller& caller, const std::string& id) {
  auto promise = std::make_shared<std::promise<Closed>>();
  manager_->close(caller, id, [promise](const Status& status, bool already) { promise->set_value({status, already}); });
  return await(promise->get_future());
}

Status EngineFixture::kill(const engine::Caller& caller, const std::string& id, const std::string& reason) {
  auto promise = std::make_shared<std::promise<Status>>();
  manager_->kill(caller, id, reason, [promise](const Status& status) { promise->set_value(status); });
  return await(promise->get_future());
}

Status EngineFixture::renew(const engine::Caller& caller, const std::string& id) {
  auto promise = std::make_shared<std::promise<Status>>();
  manager_->renew_lease(caller, id, [promise](const Status& status) { promise->set_value(status); });
  return await(promise->get_future());
}

std::vector<engine::SessionInfo> EngineFixture::list(const engine::Caller& caller) {
  auto promise = std::make_shared<std::promise<std::vector<engine::SessionInfo>>>();
  manager_->list(caller,
                 [promise](std::vector<engine::SessionInfo> sessions) { promise->set_value(std::move(sessions)); });
  return await(promise->get_future());
}

std::shared_ptr<engine::Subscription> EngineFixture::subscribe(const engine::Caller& caller, const std::string& id,
                                                               engine::SubscribeOptions options) {
  auto promise = std::make_shared<std::promise<std::shared_ptr<engine::Subscription>>>();
  manager_->subscribe(caller, id, options, {},
                      [promise](const Status& status, std::shared_ptr<engine::Subscription> subscription) {
                        EXPECT_TRUE(status.is_ok()) << status.to_string();
                        promise->set_value(std::move(subscription));
                      });
  return await(promise->get_future());
}

namespace {
const proto::Reply* reply_of(const engine::CommandResult& result) {
  return transport::worker_frame(result.reply_frame)->message_as_Reply();
}
}  // namespace

int32_t EngineFixture::advise_tag(const engine::Caller& caller, const std::string& id, const std::string& tag) {
  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "tester";
  const auto registered = invoke(caller, id, std::move(reg));
  EXPECT_TRUE(registered.status.is_ok()) << registered.status.to_string();
  if (!registered.status.is_ok()) return 0;
  const int32_t server = reply_of(registered)->body_as_ServerHandleReply()->server_handle();
  proto::CommandT add;
  add.body.Set(proto::AddItemT{});
  add.body.AsAddItem()->server_handle = server;
  add.body.AsAddItem()->item_def = tag;
  const auto added = invoke(caller, id, std::move(add));
  const int32_t item = reply_of(added)->body_as_ItemHandleReply()->item_handle();
  proto::CommandT advise;
  advise.body.Set(proto::AdviseT{});
  advise.body.AsAdvise()->server_handle = server;
  advise.body.AsAdvise()->item_handle = item;
  EXPECT_EQ(reply_of(invoke(caller, id, std::move(advise)))->error(), proto::CommandError::None);
  return item;
}

bool EngineFixture::eventually(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  return mxgw::testing::eventually(done, deadline);
}

void EngineFixture::expect_balanced() {
  engine::MetricsSnapshot m;
  // Endings are counted just before the shard's registry forgets the session: let
  // any in flight settle.
  const bool balanced = eventually([&] {
    m = manager_->metrics_snapshot();
    return m.registered ==
               static_cast<uint64_t>(m.sessions_open) + m.closed + m.expired + m.killed + m.faulted_total() &&
           m.sessions_open == manager_->registry_size();
  });
  EXPECT_TRUE(balanced) << "registered " << m.registered << ", open " << m.sessions_open << ", closed " << m.closed
                        << ", expired " << m.expired << ", killed " << m.killed << ", faulted " << m.faulted_total()
                        << ", registry " << manager_->registry_size();
}

}  // namespace mxgw::testing
