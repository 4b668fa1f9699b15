// The mxgw daemon as a child process of a test, run as an operator runs it: keys made
// by `mxgw keys add`, `mxgw serve` with its log in a file, its ports learned from
// that log, its admin port read over plain HTTP, and SIGTERM to stop it.
//
// Thread safety: one DaemonProcess is driven by one test thread; http_get() may be
// called from any thread.

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mxgw::testing {

// The whole contents of a file; empty if it cannot be read.
std::string read_file(const std::string& path);

// Runs a command to completion with its output captured in `dir`; its exit status
// (-1 if it did not exit), its stdout and stderr in *out.
int run(const std::vector<std::string>& args, std::string* out, const std::string& dir);

// One HTTP GET against 127.0.0.1:port; the response body, empty if none came.
std::string http_get(uint16_t port, const std::string& path);

class DaemonProcess {
 public:
  // Shards the daemon runs with, so that tests can reason about placement.
  static constexpr int kShards = 2;

  // `dir` holds the keys file and the log; it must exist and outlive this object.
  explicit DaemonProcess(std::string dir);
  // A daemon still running is killed (SIGKILL) and reaped.
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // `mxgw keys add NAME --role ROLE`; the key it printed, empty on failure (*error
  // then holds its output).
  std::string add_key(const std::string& name, const std::string& role, std::string* error);

  // Starts `mxgw serve` on 127.0.0.1 (TCP and admin on free ports) with the keys
  // file, two shards and `extra` flags, and waits for its "serving" line. False (and
  // the log in *error) if it exited or did not serve in time.
  bool start(const std::vector<std::string>& extra, std::string* error);

  // Sends `signal` and waits for the exit; the exit code, or -1 for a death by
  // signal or no exit within `limit`.
  int stop(int signal, std::chrono::seconds limit);
  // Waits for the exit (after a signal sent by someone else); as stop().
  int wait_exit(std::chrono::seconds limit);

  // Whether it still runs: neither exited nor killed (a death is reaped here).
  bool running();

  pid_t pid() const noexcept { return pid_; }
  uint16_t tcp_port() const noexcept { return tcp_port_; }
  uint16_t admin_port() const noexcept { return admin_port_; }
  std::string tcp_address() const { return "tcp://127.0.0.1:" + std::to_string(tcp_port_); }
  const std::string& keys_path() const noexcept { return keys_; }
  std::string log() const { return read_file(log_); }

 private:
  std::string dir_, keys_, log_;
  pid_t pid_ = 0;
  uint16_t tcp_port_ = 0;
  uint16_t admin_port_ = 0;
};

}  // namespace mxgw::testing
