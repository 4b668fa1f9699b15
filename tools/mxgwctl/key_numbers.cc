// Which metrics are the key numbers, and how they are shown.

#include "tools/mxgwctl/key_numbers.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "tools/mxgwctl/text_table.h"

namespace mxgw::ctl {

std::vector<KeyNumber> key_numbers(const Metrics& m) {
  std::vector<KeyNumber> rows;
  const auto add = [&rows](std::string key, std::string label, std::optional<double> value) {
    rows.push_back({std::move(key), std::move(label), value});
  };
  add("sessions_open", "sessions open", m.value("mxgw_sessions_open"));
  add("sessions_opened", "sessions opened", m.value("mxgw_sessions_opened_total"));
  add("sessions_refused", "opens refused at the limit", m.value("mxgw_sessions_refused_total"));
  add("sessions_closed", "sessions closed", m.value("mxgw_sessions_closed_total"));
  add("sessions_expired", "sessions expired", m.value("mxgw_sessions_expired_total"));
  add("sessions_killed", "sessions killed", m.value("mxgw_sessions_killed_total"));
  add("sessions_faulted", "sessions faulted", m.sum("mxgw_sessions_faulted_total"));
  for (const Metrics::Sample* fault : m.samples("mxgw_sessions_faulted_total")) {
    const auto code = fault->labels.find("code");
    if (fault->value == 0 || code == fault->labels.end()) continue;
    add("sessions_faulted_" + code->second, "  faulted with " + code->second, fault->value);
  }
  add("commands", "commands", m.value("mxgw_commands_total"));
  add("events_in", "events in", m.value("mxgw_events_in_total"));
  add("events_out", "events out", m.value("mxgw_events_out_total"));
  add("events_dropped", "events dropped (drop-oldest)",
      m.value("mxgw_events_not_delivered_total", {{"policy", "drop-oldest"}}));
  add("events_conflated", "events conflated", m.value("mxgw_events_not_delivered_total", {{"policy", "conflate"}}));
  add("subscribers", "subscribers", m.value("mxgw_subscribers"));
  add("subscribers_disconnected", "slow subscribers disconnected", m.value("mxgw_subscribers_disconnected_total"));
  add("connections_open", "client connections open", m.value("mxgw_connections_open"));
  add("connections_accepted", "client connections accepted", m.value("mxgw_connections_accepted_total"));
  add("client_bytes_in", "client bytes in", m.value("mxgw_client_bytes_total", {{"direction", "in"}}));
  add("client_bytes_out", "client bytes out", m.value("mxgw_client_bytes_total", {{"direction", "out"}}));
  const std::pair<const char*, const char*> latencies[] = {{"open", "mxgw_session_open_duration_seconds"},
                                                           {"command", "mxgw_command_duration_seconds"}};
  for (const auto& [what, histogram] : latencies) {
    for (const int percentile : {50, 90, 99}) {
      const std::string p = "p" + std::to_string(percentile);
      const std::optional<double> seconds = m.quantile(histogram, percentile / 100.0);
      rows.push_back({std::string(what) + "_latency_" + p + "_ms", std::string(what) + " latency " + p,
                      seconds ? std::optional<double>(*seconds * 1000) : std::nullopt, true});
    }
  }
  return rows;
}

std::optional<double> find_key_number(const std::vector<KeyNumber>& numbers, std::string_view key) {
  for (const KeyNumber& n : numbers) {
    if (n.key == key) return n.value;
  }
  return std::nullopt;
}

std::string format_key_number(const KeyNumber& number) {
  if (!number.value) return "-";
  char text[64];
  std::snprintf(text, sizeof text, number.milliseconds ? "%.2f ms" : "%.0f", *number.value);
  return text;
}

std::string key_numbers_table(const std::vector<KeyNumber>& numbers) {
  TextTable table({{}, {.right = true}});
  for (const KeyNumber& n : numbers) table.add({n.label, format_key_number(n)});
  return table.render();
}

std::string key_numbers_json(const std::vector<KeyNumber>& numbers) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const KeyNumber& n : numbers) {
    if (!n.value) {
      out[n.key] = nullptr;
    } else if (n.milliseconds || !(*n.value >= 0 && *n.value < 1e19)) {  // a count beyond uint64_t is not one
      out[n.key] = *n.value;
    } else {
      out[n.key] = static_cast<uint64_t>(*n.value);
    }
  }
  return out.dump(2) + "\n";
}

}  // namespace mxgw::ctl
