// mxgw-bench: the load generator. Drives a gateway (or an engine embedded in this
// process) through libmxgw with sessions of simulated items, reads every change it
// is sent, and reports throughput, latency, command round trips and loss.

#include <mxgw/mxgw.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/mxgw-bench/bench_report.h"
#include "tools/mxgw-bench/load_run.h"

namespace {

constexpr int kExitUnclean = 1;  // the run lost, doubted or failed something
constexpr int kExitUsage = 2;
constexpr int kExitCannotStart = 3;

int compare(const std::vector<std::string>& files) {
  std::vector<nlohmann::json> docs;
  for (const std::string& file : files) {
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "mxgw-bench: cannot read %s\n", file.c_str());
      return kExitUsage;
    }
    try {
      docs.push_back(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
      std::fprintf(stderr, "mxgw-bench: %s is not JSON: %s\n", file.c_str(), e.what());
      return kExitUsage;
    }
  }
  std::string why;
  if (!mxgw::bench::print_comparison(docs[0], docs[1], stdout, &why)) {
    std::fprintf(stderr, "mxgw-bench: cannot compare: %s\n", why.c_str());
    return kExitUsage;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mxgw::bench::BenchConfig config;
  std::string json_path;
  std::vector<std::string> compare_files;
  std::string policy = "lossless";

  CLI::App app{
      "mxgw-bench: load generator for mxgw. Opens SESSIONS sim sessions of ITEMS numeric items each\n"
      "(Tank_000.Level …) changing every PERIOD ms, subscribes SUBSCRIBERS times to each, reads and checks\n"
      "every change, and reports events/s, latency from the worker's timestamp to receipt\n"
      "(p50/p90/p99/p99.9/max), command round trips under load, and loss.\n"
      "Progress goes to stderr once a second; the summary to stdout.\n"
      "Exit status: 0 clean run; 1 events lost, invalid changes or errors; 2 usage; 3 could not start."};
  // A repeated option takes its last value, so that a script's defaults can be
  // overridden by options appended after them (tools/run-main.sh).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-t,--target", config.target, "embedded (an engine in this process), tcp://host:port or unix:///path")
      ->capture_default_str();
  app.add_option("-k,--key", config.api_key, "client API key for a gateway (default: $MXGW_CLIENT_KEY)");
  app.add_option("-s,--sessions", config.sessions, "sessions to open")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  app.add_option("-i,--items", config.items, "numeric items per session")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  app.add_option("-p,--period-ms", config.update_period_ms, "update period of every item, ms (1 .. 3600000)")
      ->check(CLI::Range(1.0, 3600000.0))
      ->capture_default_str();
  app.add_option("-n,--subscribers", config.subscribers, "subscriptions per session")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_option("--policy", policy, "delivery policy")
      ->check(CLI::IsMember({"lossless", "conflate", "drop-oldest", "disconnect"}))
      ->capture_default_str();
  app.add_option("-d,--duration", config.duration_s, "measured seconds, after the warm-up")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  app.add_option("-e,--events", config.event_limit, "stop once this many events were measured (instead of --duration)");
  app.add_option("-w,--warmup", config.warmup_s, "seconds before measuring starts")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("-c,--consumers", config.consumers, "consumer threads reading the subscriptions")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_flag("--busy-poll", config.busy_poll, "consumers never pause (each takes a whole core)");
  app.add_option("--commands-per-s", config.commands_per_s,
                 "commands sent during the run to time round trips (0: none)")
      ->capture_default_str();
  app.add_option("--shards", config.shards, "embedded: engine threads (0: one per core)")->capture_default_str();
  app.add_flag("!--no-progress", config.progress, "no live progress line");
  app.add_option("--json", json_path, "also write the result as JSON to this file (- for stdout, replacing the table)");
  app.add_option("--compare", compare_files, "print the difference between two --json files and exit")
      ->expected(2)
      ->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  if (!compare_files.empty()) return compare(compare_files);

  static const std::map<std::string, int> policies = {{"lossless", MXGW_POLICY_LOSSLESS},
                                                      {"conflate", MXGW_POLICY_CONFLATE},
                                                      {"drop-oldest", MXGW_POLICY_DROP_OLDEST},
                                                      {"disconnect", MXGW_POLICY_DISCONNECT}};
  config.policy = policies.at(policy);
  if (config.api_key.empty()) {
    if (const char* key = std::getenv("MXGW_CLIENT_KEY")) config.api_key = key;
  }
  if (config.target != "embedded" && config.api_key.empty()) {
    std::fprintf(stderr, "mxgw-bench: a gateway needs a client key: --key or $MXGW_CLIENT_KEY\n");
    return kExitUsage;
  }

  mxgw::bench::BenchResult result;
  std::string why;
  if (!mxgw::bench::run_load(config, &result, &why)) {
    std::fprintf(stderr, "mxgw-bench: %s\n", why.c_str());
    return kExitCannotStart;
  }
  if (json_path != "-") mxgw::bench::print_summary(result, stdout);
  if (!json_path.empty()) {
    const std::string text = mxgw::bench::to_json(result).dump(2) + "\n";
    if (json_path == "-") {
      std::fputs(text.c_str(), stdout);
    } else if (std::ofstream out(json_path); !(out << text)) {
      std::fprintf(stderr, "mxgw-bench: cannot write %s\n", json_path.c_str());
      return kExitUsage;
    }
  }
  return result.clean() ? 0 : kExitUnclean;
}
