// Setpoint storage and write coercion. Coercion refuses anything lossy: a client
// that writes 2.5 to an Integer attribute learns of it instead of reading back 2.

#include "worker/sim/setpoints.h"

#include <cmath>

namespace mxgw::sim {
namespace {

using proto::CommandError;
using proto::MxDataType;
using worker::Outcome;

bool is_numeric(MxDataType type) {
  return type == MxDataType::Boolean || type == MxDataType::Integer || type == MxDataType::Float ||
         type == MxDataType::Double;
}

Outcome mismatch(TagId tag, std::string_view why) {
  return Outcome::failure(CommandError::TypeMismatch, "cannot write to " + tag_name(tag) + " (" +
                                                          proto::EnumNameMxDataType(attribute(tag).data_type) +
                                                          "): " + std::string(why));
}

}  // namespace

SetpointValue SetpointStore::current(TagId tag) const {
  auto it = values_.find(tag.key());
  if (it != values_.end()) return it->second;
  const AttributeDef& def = attribute(tag);
  SetpointValue value;
  value.number = def.low;
  if (!def.words.empty()) value.text = std::string(def.words.front());
  return value;
}

Outcome SetpointStore::write(TagId tag, const WriteValue& value, std::int64_t time_ns) {
  const AttributeDef& def = attribute(tag);
  if (!def.writable) {
    return Outcome::failure(CommandError::ReadOnly, tag_name(tag) + " is read-only");
  }
  SetpointValue stored;
  stored.time_ns = time_ns;
  stored.written = true;
  if (def.data_type == MxDataType::String) {
    if (value.type != MxDataType::String) return mismatch(tag, "the value is not a string");
    stored.text = std::string(value.text);
  } else {
    if (!is_numeric(value.type)) return mismatch(tag, "the value is not a number");
    double number = value.number;
    if (def.data_type == MxDataType::Boolean && number != 0 && number != 1) {
      return mismatch(tag, "a Boolean takes 0 or 1 only");
    }
    if (def.data_type == MxDataType::Integer &&
        (!(number >= -2147483648.0 && number <= 2147483647.0) || std::trunc(number) != number)) {
      return mismatch(tag, "the value is not a whole number in int32 range");
    }
    if (def.data_type == MxDataType::Float) {
      if (std::isfinite(number) && std::isinf(static_cast<float>(number))) {
        return mismatch(tag, "the value is out of float range");
      }
      number = static_cast<double>(static_cast<float>(number));
    }
    stored.number = number;
  }
  values_[tag.key()] = std::move(stored);
  return {};
}

}  // namespace mxgw::sim
