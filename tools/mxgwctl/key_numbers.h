// The daemon's key numbers, picked out of its /metrics: the rows `mxgwctl stats`
// prints, as a table or as JSON, and the totals `mxgwctl watch` turns into rates.
//
// Thread safety: functions over values.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mxgwctl/metrics_text.h"

namespace mxgw::ctl {

struct KeyNumber {
  std::string key;    // its name in JSON, e.g. "sessions_killed"
  std::string label;  // what the table says, e.g. "sessions killed"
  // nullopt: the daemon does not report it, or a latency has no observations yet.
  std::optional<double> value;
  bool milliseconds = false;  // a latency percentile
};

// In a fixed order; a fault code appears only once a session has ended with it.
std::vector<KeyNumber> key_numbers(const Metrics& metrics);
std::optional<double> find_key_number(const std::vector<KeyNumber>& numbers, std::string_view key);

// Label and value, one row each.
std::string key_numbers_table(const std::vector<KeyNumber>& numbers);
// One object: counts as integers, latencies as milliseconds, null where unreported.
std::string key_numbers_json(const std::vector<KeyNumber>& numbers);

// A count as digits, a latency with its unit, "-" for nothing.
std::string format_key_number(const KeyNumber& number);

}  // namespace mxgw::ctl
