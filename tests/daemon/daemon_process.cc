// Starting, reading and stopping `mxgw serve` from a test.

#include "tests/daemon/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/loopback.h"
#include "tests/support/process_census.h"

extern char** environ;

namespace mxgw::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The port number printed right after `marker` in the daemon's log; 0 if absent.
uint16_t port_after(const std::string& log, const std::string& marker) {
  const size_t at = log.find(marker);
  if (at == std::string::npos) return 0;
  return static_cast<uint16_t>(std::strtoul(log.c_str() + at + marker.size(), nullptr, 10));
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int run(const std::vector<std::string>& args, std::string* out, const std::string& dir) {
  const std::string capture = dir + "/run.out";
  std::string line;
  for (const std::string& a : args) line += "'" + a + "' ";
  const int status = std::system((line + "> '" + capture + "' 2>&1").c_str());
  *out = read_file(capture);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string http_get(uint16_t port, const std::string& path) {
  const int fd = connect_loopback(port);
  if (fd < 0) return {};
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

DaemonProcess::DaemonProcess(std::string dir)
    : dir_(std::move(dir)), keys_(dir_ + "/mxgw.keys"), log_(dir_ + "/daemon.log") {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string DaemonProcess::add_key(const std::string& name, const std::string& role, std::string* error) {
  std::string out;
  if (run({MXGW_DAEMON_PATH, "keys", "add", name, "--role", role, "--file", keys_}, &out, dir_) != 0) {
    *error = out;
    return {};
  }
  return out.substr(0, out.find('\n'));
}

bool DaemonProcess::start(const std::vector<std::string>& extra, std::string* error) {
  std::vector<std::string> args = {MXGW_DAEMON_PATH, "serve",   "--keys",      keys_,      "--tcp",
                                   "127.0.0.1:0",    "--admin", "127.0.0.1:0", "--shards", std::to_string(kShards)};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = 0;
    *error = "cannot spawn " + args[0];
    return false;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::string text;
  for (;;) {
    text = log();
    if (text.find("serving") != std::string::npos) break;
    if (!process_exists(pid_) || Clock::now() >= deadline) {
      *error = "the daemon did not serve:\n" + text;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling its log for a line
  }
  tcp_port_ = port_after(text, "clients: tcp://127.0.0.1:");
  admin_port_ = port_after(text, "admin: http://127.0.0.1:");
  if (tcp_port_ == 0 || admin_port_ == 0) {
    *error = "no ports in the log:\n" + text;
    return false;
  }
  return true;
}

bool DaemonProcess::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == 0) return true;
  pid_ = 0;
  return false;
}

int DaemonProcess::stop(int signal, std::chrono::seconds limit) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  return wait_exit(limit);
}

int DaemonProcess::wait_exit(std::chrono::seconds limit) {
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

}  // namespace mxgw::testing
