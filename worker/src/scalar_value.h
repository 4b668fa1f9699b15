// ScalarValue: one MXAccess value as backends produce and accept it, and its
// conversions to and from the protocol's Value table.
//
// Numeric types (Boolean, Integer, Float, Double) live in `number`, exactly: int32
// and float widen to double without loss. Time and ElapsedTime are nanoseconds in
// `nanoseconds`. String, BigString and InternationalizedString live in `text`.
//
// Thread safety: a value type.

#pragma once

#include <cstdint>
#include <string>

#include <flatbuffers/flatbuffers.h>

#include <mxgw/schema/mx_types_generated.h>
#include <mxgw/schema/worker_generated.h>

namespace mxgw::worker {

struct ScalarValue {
  proto::MxDataType type = proto::MxDataType::NoData;
  double number = 0;
  int64_t nanoseconds = 0;
  std::string text;

  static ScalarValue of_number(proto::MxDataType type, double number) { return {type, number, 0, {}}; }
  static ScalarValue of_text(std::string text) { return {proto::MxDataType::String, 0, 0, std::move(text)}; }
};

bool is_numeric(proto::MxDataType type);
bool is_textual(proto::MxDataType type);

// Converts a written Value to what an item of type `target` holds. Numbers convert
// between numeric types when the value is representable exactly (an Integer item
// takes 7.0 but not 7.5 or 3e9; a Boolean item takes 0 or 1); text goes only to
// textual items; times only to items of the same time type. On failure returns
// TypeMismatch with a message naming both types.
proto::CommandError convert_for_write(const proto::Value& value, proto::MxDataType target, ScalarValue* out,
                                      std::string* message);

// Builds the protocol Value table for `value`.
flatbuffers::Offset<proto::Value> build_value(flatbuffers::FlatBufferBuilder& fbb, const ScalarValue& value);

}  // namespace mxgw::worker
