// Sessions as text.

#include "tools/mxgwctl/session_view.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "tools/mxgwctl/text_table.h"

namespace mxgw::ctl {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;

std::string text_of(const nlohmann::json& session, const std::string& field) {
  const auto found = session.find(field);
  if (found == session.end() || found->is_null()) return "-";
  if (found->is_string()) return found->get<std::string>().empty() ? "-" : found->get<std::string>();
  return found->dump();
}

std::string age_of(const nlohmann::json& session, int64_t now_ns) {
  const auto created = session.find("created_ns");
  if (created == session.end() || !created->is_number_integer() || created->get<int64_t>() <= 0) return "-";
  return format_duration(std::max<int64_t>(0, now_ns - created->get<int64_t>()));
}

// "2026-11-28T19:00:00.123Z, 12s ago" (or "in 12s").
std::string wall_clock_text(int64_t ns, int64_t now_ns) {
  const time_t seconds = static_cast<time_t>(ns / kSecondNs);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char when[40];
  const size_t length = std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(when + length, sizeof when - length, ".%03dZ", static_cast<int>(ns % kSecondNs / 1'000'000));
  const int64_t from_now = ns - now_ns;
  return std::string(when) + ", " +
         (from_now > 0 ? "in " + format_duration(from_now) : format_duration(-from_now) + " ago");
}

}  // namespace

std::string format_rate(double per_second) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", per_second);
  return text;
}

std::string format_duration(int64_t ns) {
  const int64_t s = ns / kSecondNs;
  char text[32];
  if (s < 60) {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(text, sizeof text, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return text;
}

std::string session_table(const nlohmann::json& sessions, int64_t now_ns, const SessionRates* rates) {
  std::vector<TextTable::Column> columns = {{"SESSION"},    {"OWNER"},           {"BACKEND"},
                                            {"STATE"},      {"AGE", true},       {"WORKER", true},
                                            {"SUBS", true}, {"EVENTS IN", true}, {"EVENTS OUT", true}};
  if (rates) {
    columns.push_back({"IN/S", true});
    columns.push_back({"OUT/S", true});
  }
  TextTable table(std::move(columns));
  for (const nlohmann::json& s : sessions) {
    std::vector<std::string> row = {text_of(s, "session_id"),  text_of(s, "owner"),     text_of(s, "backend"),
                                    text_of(s, "state"),       age_of(s, now_ns),       text_of(s, "worker_pid"),
                                    text_of(s, "subscribers"), text_of(s, "events_in"), text_of(s, "events_out")};
    if (rates) {
      const auto rate = rates->find(text_of(s, "session_id"));
      row.push_back(rate == rates->end() ? "-" : format_rate(rate->second.in));
      row.push_back(rate == rates->end() ? "-" : format_rate(rate->second.out));
    }
    table.add(std::move(row));
  }
  return table.render() + (sessions.empty() ? "(no sessions)\n" : "");
}

std::string session_fields(const nlohmann::json& session, int64_t now_ns) {
  // Who and what first, then time, then traffic; JSON objects come sorted by name.
  static const std::vector<std::string> kOrder = {"session_id",
                                                  "correlation_id",
                                                  "owner",
                                                  "backend",
                                                  "state",
                                                  "state_reason",
                                                  "shard",
                                                  "worker_pid",
                                                  "created_ns",
                                                  "lease_ms",
                                                  "lease_expires_ns",
                                                  "command_timeout_ms",
                                                  "subscribers",
                                                  "events_in",
                                                  "events_out",
                                                  "next_seq"};
  std::vector<std::string> fields;
  for (const std::string& field : kOrder) {
    if (session.contains(field)) fields.push_back(field);
  }
  for (const auto& item : session.items()) {
    if (std::find(kOrder.begin(), kOrder.end(), item.key()) == kOrder.end()) fields.push_back(item.key());
  }
  TextTable table({{}, {}});
  for (const std::string& field : fields) {
    const nlohmann::json& value = session[field];
    std::string text = text_of(session, field);
    if (field.ends_with("_ns") && value.is_number_integer() && value.get<int64_t>() > 0) {
      text += "  (" + wall_clock_text(value.get<int64_t>(), now_ns) + ")";
    }
    table.add({field, std::move(text)});
  }
  return table.render();
}

}  // namespace mxgw::ctl
