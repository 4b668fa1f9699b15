// The mxgw daemon as an operator runs it: `mxgw keys add`, `mxgw serve` as a child
// process, real clients, the admin port's /metrics checked by promtool, and SIGTERM
// with sessions open: exit 0 and no worker process left behind.

#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/client/gateway_client.h"
#include "tests/daemon/daemon_fixture.h"
#include "tests/daemon/daemon_process.h"
#include "tests/support/process_census.h"

namespace mxgw::testing {
namespace {

class DaemonTest : public DaemonFixture {
 protected:
  void serve() {
    std::string error;
    ASSERT_TRUE(daemon_->start({}, &error)) << error;
  }

  std::unique_ptr<client::GatewayClient> connect(const std::string& key) {
    client::GatewayClient::Options options;
    options.api_key = key;
    Status error;
    auto c = client::GatewayClient::connect(daemon_->tcp_address(), options, &error);
    EXPECT_TRUE(error.is_ok()) << error.to_string();
    return c;
  }
};

TEST_F(DaemonTest, KeysFileHoldsOnlySaltedHashes) {
  const std::string keys = read_file(daemon_->keys_path());
  EXPECT_EQ(keys.find(client_key_), std::string::npos);
  EXPECT_EQ(keys.find(admin_key_), std::string::npos);
  struct stat info;
  ASSERT_EQ(::stat(daemon_->keys_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0077, 0u) << "the keys file must be private";
}

TEST_F(DaemonTest, SigtermWithSessionsOpenExitsCleanlyAndLeavesNoWorker) {
  serve();
  auto feeder = connect(client_key_);
  auto admin = connect(admin_key_);
  for (int i = 0; i < 3; ++i) {
    auto opened = feeder->open_session({}).get();
    ASSERT_TRUE(opened.ok()) << opened.status.to_string();
  }
  const auto listed = admin->list_sessions().get();
  ASSERT_EQ(listed.value.size(), 3u);
  std::vector<int> workers;
  for (const auto& s : listed.value) {
    workers.push_back(s.worker_pid);
    EXPECT_TRUE(process_exists(s.worker_pid));
  }

  // The metrics an operator scrapes are valid exposition text.
  const std::string metrics = http_get(daemon_->admin_port(), "/metrics");
  EXPECT_NE(metrics.find("mxgw_sessions_open 3"), std::string::npos) << metrics.substr(0, 400);
  EXPECT_NE(metrics.find("mxgw_sessions_in_registry 3"), std::string::npos) << metrics;
  const std::string metrics_file = dir_ + "/metrics.txt";
  std::ofstream(metrics_file) << metrics;
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    std::string out;
    EXPECT_EQ(run({"sh", "-c", "promtool check metrics < '" + metrics_file + "'"}, &out, dir_), 0) << out;
  } else {
    ADD_FAILURE() << "promtool is missing (Debian package prometheus, installed by tools/setup.sh)";
  }
  EXPECT_EQ(http_get(daemon_->admin_port(), "/healthz"), "ok");

  EXPECT_EQ(daemon_->stop(SIGTERM, std::chrono::seconds(30)), 0) << daemon_->log();
  for (int pid : workers) EXPECT_FALSE(process_exists(pid)) << "worker " << pid << " outlived the daemon";
  const std::string log = daemon_->log();
  EXPECT_NE(log.find("SIGTERM: stopping"), std::string::npos) << log;
  EXPECT_NE(log.find("3 closed"), std::string::npos) << log;
}

TEST_F(DaemonTest, ABadConfigIsRefusedWithTheReason) {
  const std::string config = dir_ + "/bad.toml";
  std::ofstream(config) << "[engine]\nmax_sesions = 3\n";
  std::string out;
  EXPECT_EQ(run({MXGW_DAEMON_PATH, "serve", "--config", config, "--keys", daemon_->keys_path()}, &out, dir_), 64);
  EXPECT_NE(out.find("engine.max_sesions"), std::string::npos) << out;
}

}  // namespace
}  // namespace mxgw::testing
