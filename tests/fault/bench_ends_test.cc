// mxgw-bench always ends: one session fanned out to several lossless subscribers over
// TCP, whose consumers fall behind and stop at the end of the run while events keep
// coming, used to leave the benchmark waiting for ever for the answers to its
// unsubscribes and close on a connection neither side read any more. It must end
// within its run time plus the time to close, cleanly, and leave the daemon unharmed.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fault/fault_fixture.h"

extern char** environ;

namespace mxgw::testing {
namespace {

// Generous: the run takes three seconds, its set-up and close a few more, and the
// sanitizer builds several times that.
constexpr auto kBenchDeadline = std::chrono::seconds(120);

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class BenchEndsTest : public FaultFixture {};

TEST_F(BenchEndsTest, MxgwBenchEndsWithSlowSubscribersOfOneBusySession) {
  // The gateway's own buffers small, so that what a busy session holds while it runs
  // stays within what the daemon may keep afterwards (expect_unharmed).
  ASSERT_NO_FATAL_FAILURE(start({"--subscriber-ring", "64", "--replay-window-bytes", "4194304"}));
  const std::string target = "tcp://127.0.0.1:" + std::to_string(daemon_->tcp_port());
  const std::string log = dir_ + "/bench.log";
  // No commands during the run: a command to a session whose own lossless subscribers
  // hold its worker back waits behind that worker's events (RELIABILITY.md, what is
  // not promised), which under a sanitizer can outlast the request timeout.
  std::vector<std::string> args = {MXGW_BENCH_PATH,
                                   "--target",
                                   target,
                                   "--key",
                                   client_key_,
                                   "--sessions",
                                   "1",
                                   "--items",
                                   "20000",
                                   "--subscribers",
                                   "4",
                                   "--warmup",
                                   "0",
                                   "--duration",
                                   "3",
                                   "--no-progress",
                                   "--commands-per-s",
                                   "0"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0) << "cannot start " << args[0];

  int status = 0;
  const bool ended = eventually(
      [&] {
        renew_bystander();
        return ::waitpid(pid, &status, WNOHANG) == pid;
      },
      kBenchDeadline);
  if (!ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(ended) << "mxgw-bench never returned:\n" << read_file(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "mxgw-bench failed:\n" << read_file(log);
  EXPECT_TRUE(settles([&] { return scrape()["mxgw_sessions_open"] == 1; })) << "only the bystander's session";
  EXPECT_EQ(counted().endings(), "closed 1, expired 0, killed 0, faulted 0");
  expect_unharmed();
}

}  // namespace
}  // namespace mxgw::testing
