// Prometheus text exposition (format 0.0.4) of the engine's metrics and daemon gauges.

#include "tools/mxgw/prometheus.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace mxgw::daemon {
namespace {

// Histogram bounds: nanoseconds, and the same in seconds as rendered in `le`.
struct Bound {
  uint64_t ns;
  std::string_view seconds;
};
constexpr Bound kLatencyBounds[] = {
    {100'000, "0.0001"},   {250'000, "0.00025"},   {500'000, "0.0005"},   {1'000'000, "0.001"},
    {2'500'000, "0.0025"}, {5'000'000, "0.005"},   {10'000'000, "0.01"},  {25'000'000, "0.025"},
    {50'000'000, "0.05"},  {100'000'000, "0.1"},   {250'000'000, "0.25"}, {500'000'000, "0.5"},
    {1'000'000'000, "1"},  {2'500'000'000, "2.5"}, {5'000'000'000, "5"},  {10'000'000'000, "10"},
};

std::string format_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string sanitize_name(std::string_view name) {
  std::string out(name);
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) out[i] = '_';
  }
  if (out.empty()) out = "_";
  return out;
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

void family_head(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += escape(help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

void counter(std::string& out, std::string_view name, std::string_view help, uint64_t count) {
  family_head(out, name, help, "counter");
  sample(out, name, {}, std::to_string(count));
}

void gauge(std::string& out, std::string_view name, std::string_view help, int64_t value) {
  family_head(out, name, help, "gauge");
  sample(out, name, {}, std::to_string(value));
}

// A latency histogram in seconds. The engine's buckets are log-linear and do not line
// up with the rendered bounds, so a bound counts the buckets that lie wholly at or
// below it: each `le` count is exact to within one engine bucket (6.25 %) of its
// bound, and never counts a value above it. The sum is approximate: each recorded
// value is taken as the middle of its engine bucket.
void histogram(std::string& out, std::string_view name, std::string_view help,
               const engine::Histogram::Snapshot& snapshot) {
  family_head(out, name, help, "histogram");
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  double sum_ns = 0;
  size_t index = 0;
  for (const Bound& bound : kLatencyBounds) {
    for (; index < snapshot.counts.size(); ++index) {
      const uint64_t upper = engine::Histogram::upper_edge(static_cast<int>(index));
      if (upper > bound.ns) break;
      cumulative += snapshot.counts[index];
    }
    sample(out, bucket, "le=\"" + std::string(bound.seconds) + "\"", std::to_string(cumulative));
  }
  sample(out, bucket, "le=\"+Inf\"", std::to_string(snapshot.total));
  for (size_t i = 0; i < snapshot.counts.size(); ++i) {
    if (snapshot.counts[i] == 0) continue;
    const uint64_t upper = engine::Histogram::upper_edge(static_cast<int>(i));
    const uint64_t lower = i == 0 ? 0 : engine::Histogram::upper_edge(static_cast<int>(i) - 1) + 1;
    const double middle = (static_cast<double>(lower) + static_cast<double>(upper)) / 2;
    sum_ns += middle * static_cast<double>(snapshot.counts[i]);
  }
  sample(out, std::string(name) + "_sum", {}, format_double(sum_ns / 1e9));
  sample(out, std::string(name) + "_count", {}, std::to_string(snapshot.total));
}

void extra_families(std::string& out, std::span<const Gauge> extra) {
  // Families in order of first appearance, each with all its samples.
  std::vector<std::string> names;
  std::vector<std::vector<const Gauge*>> members;
  std::unordered_map<std::string, size_t> index_of;
  for (const Gauge& gauge : extra) {
    std::string name = sanitize_name(gauge.name);
    auto [at, fresh] = index_of.try_emplace(name, names.size());
    if (fresh) {
      names.push_back(std::move(name));
      members.emplace_back();
    }
    members[at->second].push_back(&gauge);
  }
  for (size_t f = 0; f < names.size(); ++f) {
    const Gauge& first = *members[f].front();
    family_head(out, names[f], first.help, first.counter ? "counter" : "gauge");
    for (const Gauge* gauge : members[f]) {
      std::string labels;
      for (const auto& [label, value] : gauge->labels) {
        if (!labels.empty()) labels += ',';
        labels += label + "=\"" + escape(value, true) + '"';
      }
      sample(out, names[f], labels, format_double(gauge->value));
    }
  }
}

}  // namespace

std::string render_metrics(const engine::MetricsSnapshot& m, std::span<const Gauge> extra) {
  std::string out;
  out.reserve(8192);
  gauge(out, "mxgw_sessions_open", "Sessions open now (equals the number registered in the shards).", m.sessions_open);
  counter(out, "mxgw_sessions_registered_total", "Sessions registered (every one ends exactly once).", m.registered);
  counter(out, "mxgw_sessions_opened_total", "Sessions whose open succeeded.", m.opened);
  counter(out, "mxgw_sessions_refused_total", "Opens refused at the session limit (never registered).", m.refused);
  counter(out, "mxgw_sessions_closed_total", "Sessions closed gracefully.", m.closed);
  counter(out, "mxgw_sessions_expired_total", "Sessions closed because their lease expired.", m.expired);
  counter(out, "mxgw_sessions_killed_total", "Sessions killed by an operator.", m.killed);

  // Every code, None included, so the family never changes shape and its sum always
  // equals the engine's faulted total.
  family_head(out, "mxgw_sessions_faulted_total", "Sessions that ended faulted, by error code.", "counter");
  for (size_t code = 0; code < engine::kErrorCodes; ++code) {
    const std::string name(error_code_name(static_cast<ErrorCode>(code)));
    sample(out, "mxgw_sessions_faulted_total", "code=\"" + escape(name, true) + '"', std::to_string(m.faulted[code]));
  }

  counter(out, "mxgw_commands_total", "Commands sent to workers.", m.commands);
  counter(out, "mxgw_events_in_total", "Events received from workers.", m.events_in);
  counter(out, "mxgw_frames_in_total", "Event frames received from workers.", m.frames_in);
  counter(out, "mxgw_bytes_in_total", "Event frame payload bytes received from workers.", m.bytes_in);
  // routed = out + not delivered + abandoned + pending, exactly when the engine is quiet.
  counter(out, "mxgw_events_routed_total",
          "Events published by sessions, counted once for every subscriber each had at the time.", m.events_routed);
  counter(out, "mxgw_events_out_total",
          "Routed events placed in a subscriber's queue, one by one or as a value a conflation kept (each "
          "subscriber counted; replays not included).",
          m.events_out);
  family_head(out, "mxgw_events_not_delivered_total",
              "Routed events a slow subscriber did not receive one by one, by delivery policy (each announced as a "
              "Gap).",
              "counter");
  sample(out, "mxgw_events_not_delivered_total", "policy=\"drop-oldest\"", std::to_string(m.dropped_events));
  sample(out, "mxgw_events_not_delivered_total", "policy=\"conflate\"", std::to_string(m.conflated_events));
  counter(
      out, "mxgw_events_abandoned_total",
      "Routed events still owed to a subscription when it ended (unsubscribed, or closed by the disconnect policy).",
      m.abandoned_events);
  gauge(out, "mxgw_events_pending",
        "Routed events owed to subscribers and not yet in their queues (held back, in a drop-oldest backlog, or "
        "awaiting conflation).",
        static_cast<int64_t>(m.pending_events));
  counter(out, "mxgw_events_replayed_total", "Events sent again to subscriptions resuming from a sequence number.",
          m.events_replayed);
  gauge(out, "mxgw_subscribers", "Subscriptions open now.", static_cast<int64_t>(m.subscribers));
  counter(out, "mxgw_subscribers_disconnected_total", "Subscribers closed by the disconnect policy.",
          m.slow_disconnects);
  histogram(out, "mxgw_session_open_duration_seconds", "Time from an open request to a ready session.",
            m.open_latency_ns);
  histogram(out, "mxgw_command_duration_seconds", "Time from a command to its worker's reply.", m.command_latency_ns);
  extra_families(out, extra);
  return out;
}

}  // namespace mxgw::daemon
