// Parsing of the `sim` options. Each key has its own small parser so that every
// error can name the key and quote the value it could not read.

#include "worker/sim/options.h"

#include <string>
#include <string_view>

namespace mxgw::sim {
namespace {

Status bad_value(std::string_view key, std::string_view value, std::string_view expected) {
  return Status(ErrorCode::InvalidArgument, "sim option '" + std::string(key) + "': bad value '" + std::string(value) +
                                                "', expected " + std::string(expected));
}

bool parse_count(std::string_view text, std::uint32_t* out) {
  std::uint64_t count = 0;
  if (text.empty() || text.size() > 7 || text[0] == '0' || !worker::parse_uint64(text, &count) ||
      count > kMaxInstances) {
    return false;
  }
  *out = static_cast<std::uint32_t>(count);
  return true;
}

Status parse_tags(std::string_view value, TagSet* out) {
  constexpr std::string_view kExpected =
      "a count (1..1000000) or a list like Tank:200,Pump of object types with optional counts";
  TagSet tags;
  std::uint32_t every = 0;
  if (parse_count(value, &every)) {
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
    if (colon != std::string_view::npos && !parse_count(entry.substr(colon + 1), &count)) {
      return bad_value("tags", value, kExpected);
    }
    const int t = find_object_type(type_name);
    if (t < 0) {
      return bad_value(
          "tags", value,
          std::string(kExpected) + "; '" + std::string(type_name) + "' is not one of Tank, Pump, Valve, Line");
    }
    if (tags.instances[static_cast<std::size_t>(t)] != 0) {
      return bad_value("tags", value, std::string(kExpected) + "; '" + std::string(type_name) + "' appears twice");
    }
    tags.instances[static_cast<std::size_t>(t)] = count;
    start = comma + 1;
  }
  *out = tags;
  return Status();
}

// Applies one option to `*options`.
Status apply(const worker::OptionPair& pair, SimOptions* options) {
  const std::string_view key = pair.key;
  const std::string_view value = pair.value;
  if (key == "seed") {
    if (!worker::parse_uint64(value, &options->seed)) {
      return bad_value(key, value, "an unsigned 64-bit integer, decimal or 0x hex");
    }
    return Status();
  }
  if (key == "rate_ms") {
    std::int64_t period = 0;
    if (!worker::parse_decimal_nanos(value, 1'000'000, &period) || period < kMinPeriodNs || period > kMaxPeriodNs) {
      return bad_value(key, value, "milliseconds from 1 to 3600000, with at most six decimals");
    }
    options->period_override_ns = period;
    return Status();
  }
  if (key == "quality_changes") {
    if (!worker::parse_bool(value, &options->quality_changes)) {
      return bad_value(key, value, "true or false");
    }
    return Status();
  }
  if (key == "tags") return parse_tags(value, &options->tags);
  return Status(ErrorCode::InvalidArgument,
                "unknown sim option '" + std::string(key) + "' (known: seed, rate_ms, quality_changes, tags)");
}

}  // namespace

Status parse_sim_options(std::span<const worker::OptionPair> pairs, SimOptions* out) {
  SimOptions options;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (pairs[j].key == pairs[i].key) {
        return Status(ErrorCode::InvalidArgument, "sim option '" + std::string(pairs[i].key) + "' given twice");
      }
    }
    Status status = apply(pairs[i], &options);
    if (!status.is_ok()) return status;
  }
  *out = options;
  return Status();
}

}  // namespace mxgw::sim
