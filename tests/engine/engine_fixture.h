// A fixture around a real SessionManager with real mxgw-worker processes: blocking
// wrappers over the callback API (each with a deadline), the metrics invariants the
// design promises, and a census of the test process's children and descriptors.

#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/session_manager.h"
#include "engine/core/subscription.h"
#include "tests/support/await.h"
#include "tests/support/process_census.h"

namespace mxgw::testing {

inline const engine::Caller kAlice{"alice", false};
inline const engine::Caller kBob{"bob", false};
inline const engine::Caller kAdmin{"ops", true};

struct Opened {
  Status status;
  engine::SessionInfo info;
};

struct Closed {
  Status status;
  bool already_closed = false;
};

class EngineFixture : public ::testing::Test {
 protected:
  void TearDown() override;

  // A configuration for tests: two shards, short timeouts, the built worker.
  engine::EngineConfig test_config() const;
  void start(engine::EngineConfig config);

  Opened open(const engine::Caller& caller, engine::OpenRequest request = {});
  engine::CommandResult invoke(const engine::Caller& caller, const std::string& id, proto::CommandT command);
  Closed close(const engine::Caller& caller, const std::string& id);
  Status kill(const engine::Caller& caller, const std::string& id, const std::string& reason);
  Status renew(const engine::Caller& caller, const std::string& id);
  std::vector<engine::SessionInfo> list(const engine::Caller& caller);
  std::shared_ptr<engine::Subscription> subscribe(const engine::Caller& caller, const std::string& id,
                                                  engine::SubscribeOptions options = {});

  // Register + AddItem + Advise of one sim tag; returns the item handle.
  int32_t advise_tag(const engine::Caller& caller, const std::string& id, const std::string& tag);

  // Waits (polling, with a deadline) until `done` holds.
  bool eventually(const std::function<bool()>& done, std::chrono::milliseconds deadline = std::chrono::seconds(20));

  // The accounting promises of DESIGN.md, at a quiet moment.
  void expect_balanced();

  std::unique_ptr<engine::SessionManager> manager_;
};

}  // namespace mxgw::testing
