// mxgwctl: the operator's tool for a running `mxgw serve`, through its admin HTTP
// port: the sessions (list, show, kill), the daemon's key numbers, a live view.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <curl/curl.h>
#include <CLI/CLI.hpp>

#include "tools/mxgwctl/admin_client.h"
#include "tools/mxgwctl/admin_key.h"
#include "tools/mxgwctl/commands.h"
#include "tools/mxgwctl/watch.h"

namespace {

using mxgw::ctl::ExitCode;
using mxgw::ctl::Outcome;

const std::string kFooter =
    std::string() +
    "The admin key (made by `mxgw keys add NAME --role admin`) comes from --key, else the first\n"
    "line of --key-file, else the environment variable " +
    mxgw::ctl::kAdminKeyVariable +
    ". list, show, kill and watch\n"
    "need it; stats does not. Global options may follow the subcommand.\n"
    "\n"
    "Exit codes:\n"
    "  0  done\n"
    "  1  the daemon answered with another error, or an answer mxgwctl cannot read\n"
    "  2  usage: a bad command line, no admin key, an unreadable key file\n"
    "  3  cannot connect: nothing answers at --admin, or no answer within --timeout-ms\n"
    "  4  refused: the key is unknown, or it is a client key\n"
    "  5  not found: no such session\n";

int finish(const Outcome& outcome) {
  if (!outcome.ok()) std::fprintf(stderr, "mxgwctl: %s\n", outcome.message.c_str());
  return static_cast<int>(outcome.code);
}

// libcurl's global state, set up before any handle and torn down after the last.
struct Curl {
  Curl() : ok(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {}
  ~Curl() {
    if (ok) curl_global_cleanup();
  }
  const bool ok;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mxgwctl: the operator's tool for a running `mxgw serve`: its sessions, its key numbers and a\n"
      "live view, through the daemon's admin HTTP port.",
      "mxgwctl"};
  app.require_subcommand(1);
  app.fallthrough();  // `mxgwctl list --json` as well as `mxgwctl --json list`
  app.footer(kFooter);

  std::string admin = "127.0.0.1:7421", key, key_file;
  bool json = false;
  uint32_t timeout_ms = 5000;
  app.add_option("--admin", admin, "the daemon's admin HTTP address, host:port or [v6]:port")->capture_default_str();
  CLI::Option* key_option =
      app.add_option("--key", key,
                     "the admin key; every local user can read it in the process list, so prefer --key-file or " +
                         std::string(mxgw::ctl::kAdminKeyVariable));
  app.add_option("--key-file", key_file, "a file whose first line is the admin key")->excludes(key_option);
  app.add_flag("--json", json, "machine-readable output of list, show, kill and stats");
  app.add_option("--timeout-ms", timeout_ms, "how long one request may take")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();

  std::string id, reason;
  CLI::App* list = app.add_subcommand("list", "a table of the daemon's sessions");
  CLI::App* show = app.add_subcommand("show", "every field of one session");
  show->add_option("session-id", id, "the session, as list shows it")->required();
  CLI::App* kill = app.add_subcommand("kill", "end a session now: its worker is killed, its subscribers told why");
  kill->add_option("session-id", id, "the session, as list shows it")->required();
  kill->add_option("--reason", reason, "why; the session ends with this reason (required)")
      ->required()
      ->check(
          CLI::Validator([](std::string& text) { return text.empty() ? "the reason must not be empty" : ""; }, "TEXT"));
  CLI::App* stats = app.add_subcommand("stats", "the daemon's key numbers, from its /metrics");
  mxgw::ctl::WatchOptions watch_options;
  CLI::App* watch = app.add_subcommand("watch", "sessions and event rates, redrawn until interrupted or --count");
  watch->add_option("--interval-ms", watch_options.interval_ms, "time between refreshes")
      ->check(CLI::Range(10, 3'600'000))
      ->capture_default_str();
  watch->add_option("--count", watch_options.count, "stop after this many refreshes; 0: never")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(ExitCode::Usage);
  }
  if (json && *watch) return finish({ExitCode::Usage, "--json is for list, show, kill and stats"});
  std::string admin_key;
  if (Outcome o =
          mxgw::ctl::find_admin_key(app.count("--key") ? std::optional(key) : std::nullopt,
                                    app.count("--key-file") ? std::optional(key_file) : std::nullopt, &admin_key);
      !o.ok()) {
    return finish(o);
  }
  if (admin_key.empty() && !*stats) {
    return finish({ExitCode::Usage, "this needs an admin key: --key-file PATH, " +
                                        std::string(mxgw::ctl::kAdminKeyVariable) + " or --key (see --help)"});
  }

  const Curl curl;
  if (!curl.ok) return finish({ExitCode::Failed, "libcurl could not start"});
  std::unique_ptr<mxgw::ctl::AdminClient> client;
  if (Outcome o = mxgw::ctl::AdminClient::make(admin, admin_key, timeout_ms, &client); !o.ok()) return finish(o);
  if (*list) return finish(mxgw::ctl::list_sessions(*client, json));
  if (*show) return finish(mxgw::ctl::show_session(*client, id, json));
  if (*kill) return finish(mxgw::ctl::kill_session(*client, id, reason, json));
  if (*stats) return finish(mxgw::ctl::show_stats(*client, json));
  return finish(mxgw::ctl::watch(*client, watch_options));
}
