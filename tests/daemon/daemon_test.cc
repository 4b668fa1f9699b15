// The mxgw daemon as an operator runs it: `mxgw keys add`, `mxgw serve` as a child
// process, real clients, the admin port's /metrics checked by promtool, and SIGTERM
// with sessions open: exit 0 and no worker process left behind.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/src/client/gateway_client.h"
#include "tests/support/process_census.h"

extern char** environ;

namespace mxgw::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a command to completion; its exit status, its stdout in *out.
int run(const std::vector<std::string>& args, std::string* out, const std::string& dir) {
  const std::string capture = dir + "/run.out";
  std::string line;
  for (const std::string& a : args) line += "'" + a + "' ";
  const int status = std::system((line + "> '" + capture + "' 2>&1").c_str());
  *out = read_file(capture);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The port number printed right after `marker` in the daemon's log; 0 if absent.
uint16_t port_after(const std::string& log, const std::string& marker) {
  const size_t at = log.find(marker);
  if (at == std::string::npos) return 0;
  return static_cast<uint16_t>(std::strtoul(log.c_str() + at + marker.size(), nullptr, 10));
}

// One HTTP GET against 127.0.0.1:port; the response body.
std::string http_get(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mxgw-daemon-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    keys_ = dir_ + "/mxgw.keys";
    log_ = dir_ + "/daemon.log";
    std::string out;
    ASSERT_EQ(run({MXGW_DAEMON_PATH, "keys", "add", "feeder", "--file", keys_}, &out, dir_), 0) << out;
    client_key_ = out.substr(0, out.find('\n'));
    ASSERT_EQ(run({MXGW_DAEMON_PATH, "keys", "add", "ops", "--role", "admin", "--file", keys_}, &out, dir_), 0) << out;
    admin_key_ = out.substr(0, out.find('\n'));
  }

  void TearDown() override {
    if (pid_ > 0 && process_exists(pid_)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  // Starts `mxgw serve` and waits for its "serving" line; learns its ports.
  void serve() {
    const std::vector<std::string> args = {MXGW_DAEMON_PATH, "serve",        "--keys",  keys_,   "--tcp",
                                           "127.0.0.1:0",    "--admin",      "127.0.0.1:0", "--shards", "2"};
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    std::string log;
    while (Clock::now() < deadline) {
      log = read_file(log_);
      if (log.find("serving") != std::string::npos) break;
      ASSERT_TRUE(process_exists(pid_)) << "the daemon exited:\n" << log;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling its log for a line
    }
    tcp_port_ = port_after(log, "clients: tcp://127.0.0.1:");
    admin_port_ = port_after(log, "admin: http://127.0.0.1:");
    ASSERT_TRUE(tcp_port_ != 0 && admin_port_ != 0) << log;
  }

  std::unique_ptr<client::GatewayClient> connect(const std::string& key) {
    client::GatewayClient::Options options;
    options.api_key = key;
    Status error;
    auto c = client::GatewayClient::connect("tcp://127.0.0.1:" + std::to_string(tcp_port_), options, &error);
    EXPECT_TRUE(error.is_ok()) << error.to_string();
    return c;
  }

  // Waits for the daemon to exit; its exit code, or -1.
  int wait_exit(std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    int status = 0;
    while (Clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling waitpid
    }
    return -1;
  }

  std::string dir_, keys_, log_, client_key_, admin_key_;
  pid_t pid_ = 0;
  uint16_t tcp_port_ = 0;
  uint16_t admin_port_ = 0;
};

TEST_F(DaemonTest, KeysFileHoldsOnlySaltedHashes) {
  const std::string keys = read_file(keys_);
  EXPECT_EQ(keys.find(client_key_), std::string::npos);
  EXPECT_EQ(keys.find(admin_key_), std::string::npos);
  struct stat info;
  ASSERT_EQ(::stat(keys_.c_str(), &info), 0);
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
  const std::string metrics = http_get(admin_port_, "/metrics");
  EXPECT_NE(metrics.find("mxgw_sessions_open 3"), std::string::npos) << metrics.substr(0, 400);
  const std::string metrics_file = dir_ + "/metrics.txt";
  std::ofstream(metrics_file) << metrics;
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    std::string out;
    EXPECT_EQ(run({"sh", "-c", "promtool check metrics < '" + metrics_file + "'"}, &out, dir_), 0) << out;
  } else {
    ADD_FAILURE() << "promtool is missing (Debian package prometheus, installed by tools/setup.sh)";
  }
  EXPECT_EQ(http_get(admin_port_, "/healthz"), "ok");

  ::kill(pid_, SIGTERM);
  EXPECT_EQ(wait_exit(std::chrono::seconds(30)), 0) << read_file(log_);
  for (int pid : workers) EXPECT_FALSE(process_exists(pid)) << "worker " << pid << " outlived the daemon";
  const std::string log = read_file(log_);
  EXPECT_NE(log.find("SIGTERM: stopping"), std::string::npos) << log;
  EXPECT_NE(log.find("3 closed"), std::string::npos) << log;
}

TEST_F(DaemonTest, ABadConfigIsRefusedWithTheReason) {
  const std::string config = dir_ + "/bad.toml";
  std::ofstream(config) << "[engine]\nmax_sesions = 3\n";
  std::string out;
  EXPECT_EQ(run({MXGW_DAEMON_PATH, "serve", "--config", config, "--keys", keys_}, &out, dir_), 64);
  EXPECT_NE(out.find("engine.max_sesions"), std::string::npos) << out;
}

}  // namespace
}  // namespace mxgw::testing
