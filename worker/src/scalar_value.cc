// Write-type checking and Value table building.

#include "worker/src/scalar_value.h"

#include <cmath>

namespace mxgw::worker {
namespace {

using proto::MxDataType;

const char* type_name(MxDataType type) {
  const char* name = proto::EnumNameMxDataType(type);
  return (name && *name) ? name : "Unknown";
}

// The number a numeric Value holds, if it is one.
bool numeric_payload(const proto::Value& value, double* out) {
  switch (value.payload_type()) {
    case proto::ValueData::BooleanValue:
      *out = value.payload_as_BooleanValue()->v() ? 1 : 0;
      return true;
    case proto::ValueData::IntegerValue:
      *out = value.payload_as_IntegerValue()->v();
      return true;
    case proto::ValueData::FloatValue:
      *out = static_cast<double>(value.payload_as_FloatValue()->v());
      return true;
    case proto::ValueData::DoubleValue:
      *out = value.payload_as_DoubleValue()->v();
      return true;
    default:
      return false;
  }
}

bool representable(MxDataType target, double number) {
  switch (target) {
    case MxDataType::Boolean:
      return number == 0 || number == 1;
    case MxDataType::Integer:
      return std::isfinite(number) && number == std::trunc(number) && number >= -2147483648.0 && number <= 2147483647.0;
    case MxDataType::Float:
      return !std::isfinite(number) || static_cast<double>(static_cast<float>(number)) == number;
    default:
      return true;
  }
}

}  // namespace

bool is_numeric(MxDataType type) {
  return type == MxDataType::Boolean || type == MxDataType::Integer || type == MxDataType::Float ||
         type == MxDataType::Double;
}

bool is_textual(MxDataType type) {
  return type == MxDataType::String || type == MxDataType::BigString || type == MxDataType::InternationalizedString;
}

proto::CommandError convert_for_write(const proto::Value& value, MxDataType target, ScalarValue* out,
                                      std::string* message) {
  auto mismatch = [&](const std::string& why) {
    *message = "cannot write " + std::string(type_name(value.data_type())) + (value.is_array() ? " array" : "") +
               " to a " + type_name(target) + " item" + (why.empty() ? "" : ": " + why);
    return proto::CommandError::TypeMismatch;
  };
  if (value.is_array()) return mismatch("the item is not an array");
  double number = 0;
  if (is_numeric(target)) {
    if (!numeric_payload(value, &number)) return mismatch("");
    if (!representable(target, number)) return mismatch("the value does not fit exactly");
    *out = ScalarValue::of_number(target, number);
    return proto::CommandError::None;
  }
  if (is_textual(target)) {
    const auto* text = value.payload_as_StringValue();
    if (!text) return mismatch("");
    *out = ScalarValue{target, 0, 0, text->v() ? text->v()->str() : std::string()};
    return proto::CommandError::None;
  }
  if (target == MxDataType::Time && value.payload_type() == proto::ValueData::TimeValue) {
    *out = ScalarValue{target, 0, value.payload_as_TimeValue()->ns(), {}};
    return proto::CommandError::None;
  }
  if (target == MxDataType::ElapsedTime && value.payload_type() == proto::ValueData::ElapsedTimeValue) {
    *out = ScalarValue{target, 0, value.payload_as_ElapsedTimeValue()->ns(), {}};
    return proto::CommandError::None;
  }
  return mismatch("");
}

flatbuffers::Offset<proto::Value> build_value(flatbuffers::FlatBufferBuilder& fbb, const ScalarValue& value) {
  using proto::ValueData;
  auto with = [&](ValueData kind, flatbuffers::Offset<void> payload) {
    return proto::CreateValue(fbb, value.type, false, kind, payload);
  };
  auto inline_struct = [&](ValueData kind, const auto& payload) {
    return with(kind, fbb.CreateStruct(payload).Union());
  };
  switch (value.type) {
    case MxDataType::Boolean:
      return inline_struct(ValueData::BooleanValue, proto::BooleanValue(value.number != 0));
    case MxDataType::Integer:
      return inline_struct(ValueData::IntegerValue, proto::IntegerValue(static_cast<int32_t>(value.number)));
    case MxDataType::Float:
      return inline_struct(ValueData::FloatValue, proto::FloatValue(static_cast<float>(value.number)));
    case MxDataType::Double:
      return inline_struct(ValueData::DoubleValue, proto::DoubleValue(value.number));
    case MxDataType::Time:
      return inline_struct(ValueData::TimeValue, proto::TimeValue(value.nanoseconds));
    case MxDataType::ElapsedTime:
      return inline_struct(ValueData::ElapsedTimeValue, proto::ElapsedTimeValue(value.nanoseconds));
    default:
      if (is_textual(value.type)) {
        return with(ValueData::StringValue, proto::CreateStringValue(fbb, fbb.CreateString(value.text)).Union());
      }
      return with(ValueData::NONE, 0);
  }
}

}  // namespace mxgw::worker
