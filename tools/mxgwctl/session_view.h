// How sessions look on a terminal: the table of `mxgwctl list` and `watch`, and every
// field of one session for `mxgwctl show`. Sessions come as the daemon's JSON
// (tools/mxgw/admin_http.cc); a field it does not send shows as "-".
//
// Thread safety: functions over values.

#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace mxgw::ctl {

// Events per second of one session since the previous refresh of `watch`.
struct SessionRate {
  double in = 0;
  double out = 0;
};
using SessionRates = std::unordered_map<std::string, SessionRate>;

// One row a session. With `rates`, two more columns; a session not in them (new
// since the last refresh) shows "-" there.
std::string session_table(const nlohmann::json& sessions, int64_t now_ns, const SessionRates* rates = nullptr);

// Every field, one a line, those the admin API documents first; wall-clock times
// (fields ending in _ns) also as UTC and relative to now.
std::string session_fields(const nlohmann::json& session, int64_t now_ns);

// Events per second, to one decimal.
std::string format_rate(double per_second);

// A duration as its two largest units: "42s", "3m07s", "5h02m", "12d03h".
std::string format_duration(int64_t ns);

}  // namespace mxgw::ctl
