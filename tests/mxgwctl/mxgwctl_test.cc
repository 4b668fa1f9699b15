// mxgwctl as an operator runs it, against a real `mxgw serve` child process with real
// workers and a real client: list, show and kill of the client's sessions, stats
// checked against the daemon's own /metrics, watch's refreshes and rates, and the
// documented exit code for each way a command can fail.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/client/gateway_client.h"
#include "tests/daemon/daemon_fixture.h"
#include "tests/daemon/daemon_process.h"
#include "tests/support/await.h"
#include "tests/support/eventually.h"
#include "tests/support/stream_counters.h"

extern char** environ;

namespace mxgw::testing {
namespace {

using nlohmann::json;

// The exit codes `mxgwctl --help` documents.
constexpr int kOk = 0, kUsage = 2, kCannotConnect = 3, kRefused = 4, kNotFound = 5;

struct Ran {
  int code = -1;  // -1: it did not exit normally
  std::string out;
  std::string err;
};

// The line of `text` that contains `needle`; empty if none does.
std::string line_with(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return {};
  const size_t begin = text.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
  return text.substr(begin, text.find('\n', at) - begin);
}

// The number that follows `label` in `text`; nullopt when "-" or nothing does.
std::optional<double> number_after(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return std::nullopt;
  char* end = nullptr;
  const char* start = text.c_str() + at + label.size();
  const double value = std::strtod(start, &end);
  return end == start ? std::nullopt : std::optional<double>(value);
}

class MxgwctlTest : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    if (HasFatalFailure()) return;
    key_file_ = dir_ + "/ops.key";
    std::ofstream(key_file_) << admin_key_ << "\n";
    std::string error;
    // A lease longer than any test, even under a sanitizer: no session expires midway.
    ASSERT_TRUE(daemon_->start({"--lease-ms", "600000"}, &error)) << error;
    admin_address_ = "127.0.0.1:" + std::to_string(daemon_->admin_port());
    Status status;
    feeder_ = client::GatewayClient::connect(daemon_->tcp_address(), {.api_key = client_key_}, &status);
    ASSERT_TRUE(status.is_ok()) << status.to_string();
  }

  void TearDown() override {
    feeder_.reset();
    DaemonFixture::TearDown();
  }

  // mxgwctl with exactly `args`, its stdout and stderr apart, in the test's
  // environment without MXGW_ADMIN_KEY, plus `environment` ("NAME=value" entries).
  Ran ctl(const std::vector<std::string>& args, const std::vector<std::string>& environment = {}) {
    std::vector<std::string> argv_text = {MXGWCTL_PATH};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (char** e = environ; *e; ++e) {
      if (!std::string_view(*e).starts_with("MXGW_ADMIN_KEY=")) envp.push_back(*e);
    }
    std::vector<std::string> added = environment;
    for (std::string& e : added) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string out_path = dir_ + "/ctl.out", err_path = dir_ + "/ctl.err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    Ran ran;
    if (spawned != 0) {
      ADD_FAILURE() << "cannot spawn " << MXGWCTL_PATH;
      return ran;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);  // mxgwctl bounds every request by its --timeout-ms
    ran.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ran.out = read_file(out_path);
    ran.err = read_file(err_path);
    return ran;
  }

  // mxgwctl at this test's daemon with the admin key from a file, as an operator
  // would run it; a timeout long enough for a sanitizer build.
  Ran admin(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--admin", admin_address_, "--key-file", key_file_, "--timeout-ms", "60000"};
    all.insert(all.end(), args.begin(), args.end());
    return ctl(all);
  }

  std::string open_session(std::vector<std::pair<std::string, std::string>> backend_options = {}) {
    const auto opened = await(feeder_->open_session({.backend_options = std::move(backend_options)}));
    EXPECT_TRUE(opened.ok()) << opened.status.to_string();
    return opened.value.session_id;
  }

  // A session whose worker sends a change of each of 20 counters every millisecond.
  std::string open_streaming_session() {
    const std::string id = open_session({{"rate_ms", "1"}, {"tags", "Line:20"}});
    EXPECT_EQ(stream_counters(*feeder_, id, 20).size(), 20u);
    return id;
  }

  std::optional<double> stat(const std::string& key) {
    const Ran stats = admin({"stats", "--json"});
    EXPECT_EQ(stats.code, kOk) << stats.err;
    const json numbers = json::parse(stats.out, nullptr, false);
    if (!numbers.is_object() || !numbers.contains(key) || !numbers[key].is_number()) return std::nullopt;
    return numbers[key].get<double>();
  }

  std::string key_file_, admin_address_;
  std::unique_ptr<client::GatewayClient> feeder_;
};

TEST_F(MxgwctlTest, ListShowsAnOpenedSession) {
  const std::string id = open_session();
  // The key from the environment this time.
  const Ran table = ctl({"--admin", admin_address_, "list"}, {"MXGW_ADMIN_KEY=" + admin_key_});
  ASSERT_EQ(table.code, kOk) << table.err;
  EXPECT_TRUE(table.out.starts_with("SESSION")) << table.out;
  const std::string row = line_with(table.out, id);
  for (const char* cell : {"feeder", "sim", "Ready"}) EXPECT_NE(row.find(cell), std::string::npos) << row;

  const Ran listed = admin({"list", "--json"});
  ASSERT_EQ(listed.code, kOk) << listed.err;
  json sessions = json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(sessions.is_array()) << listed.out;
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["session_id"], id);
  EXPECT_EQ(sessions[0]["owner"], "feeder");
  EXPECT_GT(sessions[0]["worker_pid"].get<int>(), 0);
}

TEST_F(MxgwctlTest, ShowPrintsEveryFieldOfOneSession) {
  const std::string id = open_session();
  open_session();  // another, which show must not mix in
  const Ran as_json = admin({"show", id, "--json"});
  ASSERT_EQ(as_json.code, kOk) << as_json.err;
  const json fields = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(fields.is_object()) << as_json.out;
  EXPECT_EQ(fields["session_id"], id);
  EXPECT_GE(fields.size(), 16u) << "every field of the admin API's session";

  // Nothing streams, so no field changes between the two looks, except that the
  // daemon turns its steady-clock lease into wall-clock time afresh for each.
  const Ran shown = admin({"show", id});
  ASSERT_EQ(shown.code, kOk) << shown.err;
  for (const auto& [field, value] : fields.items()) {
    const std::string line = line_with(shown.out, field + " ");
    ASSERT_TRUE(line.starts_with(field + " ")) << field << " is missing:\n" << shown.out;
    if (field == "lease_expires_ns") {
      EXPECT_NEAR(number_after(line, field).value_or(0), value.get<double>(), 1e9) << line;
    } else if (const std::string expected = value.is_string() ? value.get<std::string>() : value.dump();
               !expected.empty()) {
      EXPECT_NE(line.find(expected), std::string::npos) << line;
    }
  }
  EXPECT_NE(line_with(shown.out, "created_ns").find(" ago)"), std::string::npos) << shown.out;
}

TEST_F(MxgwctlTest, KillWithAReasonEndsTheSessionAndIsCounted) {
  const std::string id = open_session();
  const std::string other = open_session();
  const std::optional<double> killed_before = stat("sessions_killed");
  ASSERT_TRUE(killed_before.has_value());
  // The key on the command line this time.
  const Ran killed = ctl({"--admin", admin_address_, "--key", admin_key_, "kill", id, "--reason", "stuck in a test"});
  ASSERT_EQ(killed.code, kOk) << killed.err;
  EXPECT_EQ(killed.out, "killed " + id + "\n");
  EXPECT_TRUE(eventually([&] {
    const Ran listed = admin({"list"});
    return listed.code == kOk && listed.out.find(id) == std::string::npos;
  })) << admin({"list"}).out;
  EXPECT_EQ(admin({"show", id}).code, kNotFound);
  EXPECT_EQ(admin({"show", other}).code, kOk) << "only the named session is killed";
  EXPECT_EQ(stat("sessions_killed"), *killed_before + 1);
}

TEST_F(MxgwctlTest, KillWithoutAReasonIsAUsageErrorAndKillsNothing) {
  const std::string id = open_session();
  const Ran no_reason = admin({"kill", id});
  EXPECT_EQ(no_reason.code, kUsage);
  EXPECT_NE(no_reason.err.find("--reason"), std::string::npos) << no_reason.err;
  EXPECT_EQ(admin({"kill", id, "--reason", ""}).code, kUsage);
  EXPECT_EQ(admin({"show", id}).code, kOk) << "the session must still be open";
  EXPECT_EQ(stat("sessions_killed"), 0);
}

TEST_F(MxgwctlTest, AClientKeyIsRefused) {
  const std::string id = open_session();
  const std::vector<std::vector<std::string>> commands = {
      {"list"}, {"show", id}, {"kill", id, "--reason", "r"}, {"watch", "--count", "1"}};
  for (const auto& command : commands) {
    std::vector<std::string> args = {"--admin", admin_address_, "--key", client_key_};
    args.insert(args.end(), command.begin(), command.end());
    const Ran refused = ctl(args);
    EXPECT_EQ(refused.code, kRefused) << command[0] << ": " << refused.err;
    EXPECT_NE(refused.err.find("client key"), std::string::npos) << refused.err;
    EXPECT_TRUE(refused.out.empty()) << refused.out;
  }
  const Ran unknown = ctl({"--admin", admin_address_, "--key", "mxgw_not_a_key", "list"});
  EXPECT_EQ(unknown.code, kRefused);
  EXPECT_NE(unknown.err.find("unknown key"), std::string::npos) << unknown.err;
  EXPECT_EQ(admin({"show", id}).code, kOk) << "the session must still be open";
}

TEST_F(MxgwctlTest, AnUnknownSessionIsNotFound) {
  const Ran shown = admin({"show", "session-nobody"});
  EXPECT_EQ(shown.code, kNotFound);
  EXPECT_NE(shown.err.find("session-nobody"), std::string::npos) << shown.err;
  EXPECT_EQ(admin({"kill", "session-nobody", "--reason", "r"}).code, kNotFound);
  // An id is one path segment: "x/kill" cannot turn a show into a kill.
  EXPECT_EQ(admin({"show", "x/kill"}).code, kNotFound);
}

TEST_F(MxgwctlTest, NoDaemonAtTheAddressIsCannotConnect) {
  // A port bound but not listening: a connection to it is refused at once.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string nobody = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  for (const std::string command : {"list", "stats"}) {
    const Ran ran = ctl({"--admin", nobody, "--key-file", key_file_, command});
    EXPECT_EQ(ran.code, kCannotConnect) << ran.err;
    EXPECT_NE(ran.err.find("cannot reach the daemon at " + nobody), std::string::npos) << ran.err;
  }
  ::close(fd);
  EXPECT_EQ(ctl({"--admin", "no-port-here", "stats"}).code, kUsage);
}

TEST_F(MxgwctlTest, NoKeyIsAUsageErrorAndHelpSaysWhereKeysComeFrom) {
  const Ran keyless = ctl({"--admin", admin_address_, "list"});
  EXPECT_EQ(keyless.code, kUsage);
  EXPECT_NE(keyless.err.find("MXGW_ADMIN_KEY"), std::string::npos) << keyless.err;
  const Ran help = ctl({"--help"});
  EXPECT_EQ(help.code, kOk);
  for (const std::string documented : {"--key-file", "MXGW_ADMIN_KEY", "--timeout-ms", "2  usage", "3  cannot connect",
                                       "4  refused", "5  not found"}) {
    EXPECT_NE(help.out.find(documented), std::string::npos) << documented << " is not in --help:\n" << help.out;
  }
}

TEST_F(MxgwctlTest, StatsMatchTheDaemonsNumbers) {
  const std::string streaming = open_streaming_session();
  const std::string doomed = open_session();
  ASSERT_EQ(admin({"kill", doomed, "--reason", "counted"}).code, kOk);
  const Ran before = admin({"list", "--json"});
  json sessions = json::parse(before.out, nullptr, false);
  ASSERT_TRUE(sessions.is_array() && sessions.size() == 1u) << before.out;
  const double streamed_before = sessions[0]["events_in"].get<double>();

  // /metrics needs no key, and neither does stats.
  const Ran stats = ctl({"--admin", admin_address_, "stats", "--json"});
  ASSERT_EQ(stats.code, kOk) << stats.err;
  const std::string metrics = http_get(daemon_->admin_port(), "/metrics");
  json numbers = json::parse(stats.out, nullptr, false);
  ASSERT_TRUE(numbers.is_object()) << stats.out;
  EXPECT_EQ(numbers["sessions_open"], 1);
  EXPECT_EQ(numbers["sessions_opened"], 2);
  EXPECT_EQ(numbers["sessions_killed"], 1);
  EXPECT_EQ(numbers["sessions_faulted"], 0);
  EXPECT_EQ(numbers["connections_open"], 1);
  for (const std::string line : {"mxgw_sessions_open 1\n", "mxgw_sessions_opened_total 2\n",
                                 "mxgw_sessions_killed_total 1\n", "mxgw_connections_open 1\n"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << " is not in /metrics";
  }
  // Events keep streaming: between the list before and the /metrics after.
  const double events_in = numbers["events_in"].get<double>();
  EXPECT_GE(events_in, streamed_before);
  EXPECT_LE(events_in, number_after(metrics, "\nmxgw_events_in_total ").value_or(0));
  ASSERT_TRUE(numbers["open_latency_p50_ms"].is_number()) << stats.out;
  EXPECT_GT(numbers["open_latency_p50_ms"].get<double>(), 0);
  EXPECT_LE(numbers["open_latency_p50_ms"].get<double>(), numbers["open_latency_p99_ms"].get<double>());
  ASSERT_TRUE(numbers["command_latency_p99_ms"].is_number()) << "Register, AddItems, AdviseItems were timed";

  const Ran table = ctl({"--admin", admin_address_, "stats"});
  ASSERT_EQ(table.code, kOk) << table.err;
  EXPECT_EQ(number_after(line_with(table.out, "sessions killed"), "sessions killed"), 1) << table.out;
  EXPECT_EQ(number_after(line_with(table.out, "sessions opened"), "sessions opened"), 2) << table.out;
}

TEST_F(MxgwctlTest, WatchCountTwoPrintsTwoRefreshesWithRates) {
  const std::string id = open_streaming_session();
  ASSERT_TRUE(eventually([&] {
    const json sessions = json::parse(admin({"list", "--json"}).out, nullptr, false);
    return sessions.is_array() && sessions.size() == 1u && sessions[0].value("events_in", 0.0) > 0;
  })) << "the session never streamed";

  const Ran watched = admin({"watch", "--count", "2", "--interval-ms", "300"});
  ASSERT_EQ(watched.code, kOk) << watched.err;
  EXPECT_EQ(watched.out.find("\x1b["), std::string::npos) << "no screen clearing into a file";
  const size_t second = watched.out.find("refresh 2 of 2");
  ASSERT_NE(second, std::string::npos) << watched.out;
  EXPECT_EQ(watched.out.find("refresh 3"), std::string::npos) << watched.out;
  const std::string first_block = watched.out.substr(0, second), second_block = watched.out.substr(second);
  ASSERT_NE(first_block.find("refresh 1 of 2"), std::string::npos) << watched.out;

  // The first refresh has nothing to compare with; the second has a rate for the
  // daemon and for the session.
  EXPECT_NE(first_block.find("events in/s -"), std::string::npos) << first_block;
  EXPECT_GT(number_after(second_block, "events in/s ").value_or(0), 0) << second_block;
  const std::string row = line_with(second_block, id);
  ASSERT_FALSE(row.empty()) << second_block;
  std::istringstream cells(row);
  const std::vector<std::string> cell{std::istream_iterator<std::string>(cells), {}};
  ASSERT_GE(cell.size(), 2u) << row;
  EXPECT_GT(std::strtod(cell[cell.size() - 2].c_str(), nullptr), 0) << "IN/S, before OUT/S: " << row;
}

}  // namespace
}  // namespace mxgw::testing
