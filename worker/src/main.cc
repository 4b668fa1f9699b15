// mxgw-worker: the process that serves one mxgw session. Started by the gateway,
// never by hand in production; see --help.

#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "worker/src/backend_factory.h"
#include "worker/src/worker_process.h"

namespace {

constexpr size_t kNonceBytes = 32;

// The nonce arrives on stdin as 64 hex digits (a trailing newline is allowed), so it
// never appears in argv or the environment where other processes could read it.
bool read_nonce(std::vector<uint8_t>* nonce, std::string* error) {
  std::string text;
  char buffer[128];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > 2 * kNonceBytes + 2) break;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() != 2 * kNonceBytes) {
    *error = "expected a " + std::to_string(2 * kNonceBytes) + "-digit hex nonce on stdin, got " +
             std::to_string(text.size()) + " characters";
    return false;
  }
  nonce->clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    if (!std::isxdigit(static_cast<unsigned char>(text[i])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 1]))) {
      *error = "the nonce on stdin is not hexadecimal";
      return false;
    }
    nonce->push_back(static_cast<uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mxgw::worker;
  // A gateway that vanished must show up as a write error, not kill the worker.
  std::signal(SIGPIPE, SIG_IGN);
  WorkerConfig config;
  CLI::App app{
      "mxgw-worker: serves one mxgw session. The gateway starts it with the session's socket,\n"
      "id and backend, writes the session nonce (64 hex digits) to its stdin, and expects the\n"
      "handshake within its startup timeout. It exits when told to shut down, on SIGTERM or\n"
      "SIGINT (gracefully), or when its connection to the gateway closes.\n\n"
      "Backends: " +
          std::string(kBuiltinBackends) +
          ", or any name with --plugin PATH. Their options come\n"
          "with the session open, not the command line:\n"
          "  sim     seed (uint64), rate_ms (1..3600000), quality_changes (bool),\n"
          "          tags (a count per object type, or e.g. Tank:200,Pump)\n"
          "  replay  file (inside --replay-dir), speed (a multiple, or max), loop (bool)\n\n"
          "Exit codes: 0 done; 64 bad usage or nonce; 69 connection failed or handshake timed out;\n"
          "76 the gateway broke the protocol; 77 handshake refused; 78 unknown backend or bad options.",
      "mxgw-worker"};
  app.add_option("--endpoint", config.endpoint_path, "the session's Unix socket path")->required();
  app.add_option("--session-id", config.session_id, "the session id, e.g. session-<32 hex>")->required();
  app.add_option("--backend", config.backend, "backend name")->required();
  app.add_option("--plugin", config.plugin_path, "shared library implementing mxgw/mxgw_plugin.h")
      ->check(CLI::ExistingFile);
  app.add_option("--replay-dir", config.replay_dir, "directory the replay backend reads recordings from")
      ->check(CLI::ExistingDirectory);
  app.add_option("--handshake-timeout-ms", config.handshake_timeout_ms, "give up if not welcomed in time")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{600'000}));
  app.add_option("--max-batch-events", config.max_batch_events, "events per batch frame at most")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 20));
  app.add_option("--round-budget", config.round_budget, "events produced per loop round at most")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 24));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  std::string error;
  if (!read_nonce(&config.nonce, &error)) {
    std::fprintf(stderr, "mxgw-worker: %s\n", error.c_str());
    return kExitUsage;
  }
  return WorkerProcess(std::move(config)).run();
}
