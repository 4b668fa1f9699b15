// Churn: a thousand sessions opened and closed in waves, with real workers. Child
// processes, descriptors and memory must return to where they started.

#include <string>

#include "tests/engine/engine_fixture.h"

namespace mxgw::testing {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kSessions = 200;
#else
constexpr int kSessions = 1000;
#endif
constexpr int kWave = 25;

class SessionChurnTest : public EngineFixture {
 protected:
  // Opens a wave at once, then closes it at once.
  void wave(int size) {
    std::vector<std::future<Opened>> opens;
    for (int i = 0; i < size; ++i) {
      auto promise = std::make_shared<std::promise<Opened>>();
      opens.push_back(promise->get_future());
      manager_->open(kAlice, {}, [promise](const Status& s, const engine::SessionInfo& info) {
        promise->set_value({s, info});
      });
    }
    std::vector<std::future<Closed>> closes;
    for (auto& pending : opens) {
      const Opened opened = await(std::move(pending));
      ASSERT_TRUE(opened.status.is_ok()) << opened.status.to_string();
      auto promise = std::make_shared<std::promise<Closed>>();
      closes.push_back(promise->get_future());
      manager_->close(kAlice, opened.info.session_id, [promise](const Status& s, bool already) {
        promise->set_value({s, already});
      });
    }
    for (auto& pending : closes) EXPECT_TRUE(await(std::move(pending)).status.is_ok());
  }
};

TEST_F(SessionChurnTest, AThousandSessionsLeaveNothingBehind) {
  engine::EngineConfig config = test_config();
  config.max_sessions = kWave;
  start(config);
  wave(kWave);  // the first wave sets up what each loop keeps for its lifetime
  const size_t descriptors = open_descriptors();
  const size_t resident = resident_kib();
  for (int done = kWave; done < kSessions; done += kWave) {
    wave(kWave);
    if (HasFatalFailure()) return;
  }
  EXPECT_TRUE(child_processes().empty());
  EXPECT_EQ(open_descriptors(), descriptors);
  // Memory may settle at a slightly different level, but must not grow with the
  // number of sessions that came and went.
  EXPECT_LT(resident_kib(), resident + 16 * 1024) << "RSS grew from " << resident << " KiB";
  EXPECT_EQ(manager_->metrics().opened.load(), static_cast<uint64_t>(kSessions));
  EXPECT_EQ(manager_->metrics().closed.load(), static_cast<uint64_t>(kSessions));
  expect_balanced();
}

}  // namespace
}  // namespace mxgw::testing
