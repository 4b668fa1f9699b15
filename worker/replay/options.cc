// Parsing of the `replay` options; every error names the key and quotes the value.

#include "worker/replay/options.h"

#include <string_view>

#include "worker/replay/fields.h"

namespace mxgw::replay {
namespace {

Status bad_value(std::string_view key, std::string_view value, std::string_view expected) {
  return Status(ErrorCode::InvalidArgument, "replay option '" + std::string(key) + "': bad value '" +
                                                std::string(value) + "', expected " + std::string(expected));
}

// Applies one option to `*options`.
Status apply(const worker::OptionPair& pair, ReplayOptions* options) {
  const std::string_view key = pair.key;
  const std::string_view value = pair.value;
  if (key == "file") {
    if (value.empty()) return bad_value(key, value, "the path of a CSV recording");
    options->file = std::string(value);
    return Status();
  }
  if (key == "speed") {
    double speed = 0;
    if (value == "max") {
      options->speed = 0;
    } else if (parse_number(proto::MxDataType::Double, value, &speed) && speed > 0 && speed <= 1e6) {
      options->speed = speed;
    } else {
      return bad_value(key, value, "a multiple of real time up to 1000000, or max");
    }
    return Status();
  }
  if (key == "loop") {
    if (!worker::parse_bool(value, &options->loop)) return bad_value(key, value, "true or false");
    return Status();
  }
  return Status(ErrorCode::InvalidArgument,
                "unknown replay option '" + std::string(key) + "' (known: file, speed, loop)");
}

}  // namespace

Status parse_replay_options(std::span<const worker::OptionPair> pairs, ReplayOptions* out) {
  ReplayOptions options;
  bool has_file = false;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (pairs[j].key == pairs[i].key) {
        return Status(ErrorCode::InvalidArgument, "replay option '" + std::string(pairs[i].key) + "' given twice");
      }
    }
    Status status = apply(pairs[i], &options);
    if (!status.is_ok()) return status;
    has_file = has_file || pairs[i].key == "file";
  }
  if (!has_file) {
    return Status(ErrorCode::InvalidArgument, "replay option 'file' is required");
  }
  *out = options;
  return Status();
}

}  // namespace mxgw::replay
