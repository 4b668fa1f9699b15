// The summary table, the JSON document and the comparison.

#include "tools/mxgw-bench/bench_report.h"

#include <mxgw/mxgw.h>

#include <cmath>
#include <vector>

namespace mxgw::bench {
namespace {

const char* policy_name(int policy) {
  switch (policy) {
    case MXGW_POLICY_CONFLATE:
      return "conflate";
    case MXGW_POLICY_DROP_OLDEST:
      return "drop-oldest";
    case MXGW_POLICY_DISCONNECT:
      return "disconnect";
    default:
      return "lossless";
  }
}

std::string duration_text(uint64_t ns) {
  char text[32];
  if (ns >= 1'000'000'000)
    std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(ns) / 1e9);
  else if (ns >= 1'000'000)
    std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(ns) / 1e6);
  else if (ns >= 1'000)
    std::snprintf(text, sizeof text, "%.1f us", static_cast<double>(ns) / 1e3);
  else
    std::snprintf(text, sizeof text, "%llu ns", static_cast<unsigned long long>(ns));
  return text;
}

void print_percentiles(std::FILE* out, const char* label, const Percentiles& p) {
  if (p.count == 0) {
    std::fprintf(out, "  %-26s none measured\n", label);
    return;
  }
  std::fprintf(out, "  %-26s p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%llu)\n", label, duration_text(p.p50).c_str(),
               duration_text(p.p90).c_str(), duration_text(p.p99).c_str(), duration_text(p.p999).c_str(),
               duration_text(p.max).c_str(), static_cast<unsigned long long>(p.count));
}

nlohmann::json percentiles_json(const Percentiles& p) {
  return {{"count", p.count}, {"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"p999", p.p999}, {"max", p.max}};
}

// The metrics --compare shows, where to find them, and which way is better.
struct Compared {
  const char* label;
  nlohmann::json::json_pointer where;
  bool higher_is_better;
};

const std::vector<Compared>& compared_metrics() {
  using ptr = nlohmann::json::json_pointer;
  static const std::vector<Compared> metrics = {
      {"events/s", ptr("/events_per_s"), true},
      {"latency p50 (ns)", ptr("/latency_ns/p50"), false},
      {"latency p90 (ns)", ptr("/latency_ns/p90"), false},
      {"latency p99 (ns)", ptr("/latency_ns/p99"), false},
      {"latency p99.9 (ns)", ptr("/latency_ns/p999"), false},
      {"latency max (ns)", ptr("/latency_ns/max"), false},
      {"command p50 (ns)", ptr("/command_rtt_ns/p50"), false},
      {"command p99 (ns)", ptr("/command_rtt_ns/p99"), false},
      {"lost events", ptr("/loss/missing"), false},
      {"announced gaps (events)", ptr("/loss/announced"), false},
      {"errors", ptr("/errors"), false},
  };
  return metrics;
}

}  // namespace

void print_summary(const BenchResult& r, std::FILE* out) {
  const BenchConfig& c = r.config;
  std::fprintf(out, "\nmxgw-bench %s, %s (%s)\n", r.library_version.c_str(), r.mode.c_str(), c.target.c_str());
  std::fprintf(out, "  %u sessions x %u items every %g ms (offered %.2f M changes/s), %u subscriber(s) each, %s\n",
               c.sessions, c.items, c.update_period_ms, c.offered_rate() / 1e6, c.subscribers, policy_name(c.policy));
  std::fprintf(out, "  %-26s %.2f s setup, %.1f s warm-up, %.2f s measured\n", "time", r.setup_s, c.warmup_s,
               r.measured_s);
  std::fprintf(out, "  %-26s %llu events (%llu changes read and checked, %llu batches)\n", "delivered",
               static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.changes),
               static_cast<unsigned long long>(r.batches));
  std::fprintf(out, "  %-26s %.3f M/s\n", "events/s", r.events_per_s / 1e6);
  print_percentiles(out, "latency (worker->receipt)", r.latency_ns);
  print_percentiles(out, "command round trip", r.command_rtt_ns);
  std::fprintf(out, "  %-26s %llu lost, %llu announced in %llu gaps, %llu invalid\n", "loss (whole run)",
               static_cast<unsigned long long>(r.missing), static_cast<unsigned long long>(r.announced),
               static_cast<unsigned long long>(r.gap_events), static_cast<unsigned long long>(r.invalid));
  std::fprintf(out, "  %-26s %u of %u sessions, %u subscriptions\n", "open", r.sessions_open, c.sessions,
               r.subscriptions);
  std::fprintf(out, "  %-26s %llu%s%s\n", "errors", static_cast<unsigned long long>(r.errors),
               r.first_error.empty() ? "" : ", first: ", r.first_error.c_str());
}

nlohmann::json to_json(const BenchResult& r) {
  const BenchConfig& c = r.config;
  return {
      {"tool", "mxgw-bench"},
      {"version", r.library_version},
      {"mode", r.mode},
      {"target", c.target},
      {"config",
       {{"sessions", c.sessions},
        {"items", c.items},
        {"update_period_ms", c.update_period_ms},
        {"offered_changes_per_s", c.offered_rate()},
        {"subscribers", c.subscribers},
        {"policy", policy_name(c.policy)},
        {"duration_s", c.duration_s},
        {"event_limit", c.event_limit},
        {"warmup_s", c.warmup_s},
        {"consumers", c.consumers},
        {"commands_per_s", c.commands_per_s}}},
      {"setup_s", r.setup_s},
      {"measured_s", r.measured_s},
      {"events", r.events},
      {"changes", r.changes},
      {"batches", r.batches},
      {"events_per_s", r.events_per_s},
      {"latency_ns", percentiles_json(r.latency_ns)},
      {"command_rtt_ns", percentiles_json(r.command_rtt_ns)},
      {"loss",
       {{"missing", r.missing}, {"announced", r.announced}, {"gap_events", r.gap_events}, {"invalid", r.invalid}}},
      {"errors", r.errors},
      {"first_error", r.first_error},
      {"sessions_open", r.sessions_open},
      {"subscriptions", r.subscriptions},
      {"clean", r.clean()},
  };
}

bool print_comparison(const nlohmann::json& a, const nlohmann::json& b, std::FILE* out, std::string* why) {
  for (const auto* doc : {&a, &b}) {
    if (!doc->is_object() || doc->value("tool", "") != "mxgw-bench") {
      *why = "not an mxgw-bench --json document";
      return false;
    }
  }
  std::fprintf(out, "%-26s %16s %16s %10s\n", "", "A", "B", "change");
  for (const Compared& metric : compared_metrics()) {
    if (!a.contains(metric.where) || !b.contains(metric.where)) {
      *why = std::string("missing ") + metric.where.to_string();
      return false;
    }
    const double va = a.at(metric.where).get<double>();
    const double vb = b.at(metric.where).get<double>();
    std::string change = "=";
    if (va != vb) {
      char text[32];
      if (va != 0)
        std::snprintf(text, sizeof text, "%+.1f%%", (vb - va) / std::fabs(va) * 100.0);
      else
        std::snprintf(text, sizeof text, "%+g", vb - va);
      const bool better = metric.higher_is_better ? vb > va : vb < va;
      change = std::string(text) + (better ? " better" : " worse");
    }
    std::fprintf(out, "%-26s %16.6g %16.6g %s\n", metric.label, va, vb, change.c_str());
  }
  return true;
}

}  // namespace mxgw::bench
