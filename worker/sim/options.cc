// Parsing of the `sim` options. Each key has its own small parser so that every
// error can name the key and quote the value it could not read.

#include "worker/sim/options.h"

#include <string>
#include <string_view>

namespace mxgw::sim {
namespace {

using worker::Status;
using worker::StatusCode;

Status BadValue(std::string_view key, std::string_view value, std::string_view expected) {
  return Status::Error(StatusCode::kInvalidArgument, "sim option '" + std::string(key) +
                                                         "': bad value '" + std::string(value) +
                                                         "', expected " + std::string(expected));
}

bool ParseCount(std::string_view text, std::uint32_t* out) {
  std::uint64_t count = 0;
  if (text.empty() || text.size() > 7 || text[0] == '0' || !worker::ParseUint64(text, &count) ||
      count > kMaxInstances) {
    return false;
  }
  *out = static_cast<std::uint32_t>(count);
  return true;
}

Status ParseTags(std::string_view value, TagSet* out) {
  constexpr std::string_view kExpected =
      "a count (1..1000000) or a list like Tank:200,Pump of object types with optional counts";
  TagSet tags;
  std::uint32_t every = 0;
  if (ParseCount(value, &every)) {
    tags.instances.fill(every);
    *out = tags;
    return Status();
  }
  tags.instances.fill(0);
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    const std::string_view entry = value.substr(start, comma - start);
    const std::size_t colon = entry.find(':');
    const std::string_view type_name = entry.substr(0, colon);
    std::uint32_t count = kDefaultInstances;
    if (colon != std::string_view::npos && !ParseCount(entry.substr(colon + 1), &count)) {
      return BadValue("tags", value, kExpected);
    }
    const int t = FindObjectType(type_name);
    if (t < 0) {
      return BadValue("tags", value, std::string(kExpected) + "; '" + std::string(type_name) +
                                         "' is not one of Tank, Pump, Valve, Line");
    }
    if (tags.instances[static_cast<std::size_t>(t)] != 0) {
      return BadValue("tags", value, std::string(kExpected) + "; '" + std::string(type_name) +
                                         "' appears twice");
    }
    tags.instances[static_cast<std::size_t>(t)] = count;
    start = comma + 1;
  }
  *out = tags;
  return Status();
}

}  // namespace

Status ParseSimOptions(std::span<const worker::OptionPair> pairs, SimOptions* out) {
  SimOptions options;
  bool seen[4] = {};
  constexpr std::string_view kKeys[4] = {"seed", "rate_ms", "quality_changes", "tags"};
  for (const worker::OptionPair& pair : pairs) {
    std::size_t k = 0;
    while (k < 4 && kKeys[k] != pair.key) ++k;
    if (k == 4) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "unknown sim option '" + std::string(pair.key) +
                               "' (known: seed, rate_ms, quality_changes, tags)");
    }
    if (seen[k]) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "sim option '" + std::string(pair.key) + "' given twice");
    }
    seen[k] = true;
    if (k == 0) {
      if (!worker::ParseUint64(pair.value, &options.seed)) {
        return BadValue(pair.key, pair.value, "an unsigned 64-bit integer, decimal or 0x hex");
      }
    } else if (k == 1) {
      std::int64_t period = 0;
      if (!worker::ParseDecimalNanos(pair.value, 1'000'000, &period) || period < kMinPeriodNs ||
          period > kMaxPeriodNs) {
        return BadValue(pair.key, pair.value,
                        "milliseconds from 1 to 3600000, with at most six decimals");
      }
      options.period_override_ns = period;
    } else if (k == 2) {
      if (!worker::ParseBool(pair.value, &options.quality_changes)) {
        return BadValue(pair.key, pair.value, "true or false");
      }
    } else {
      Status status = ParseTags(pair.value, &options.tags);
      if (!status.ok()) return status;
    }
  }
  *out = options;
  return Status();
}

}  // namespace mxgw::sim
