// Writable attributes: the current value of every setpoint tag of one galaxy, and
// the rules by which a written value is accepted into an attribute's type.
//
// A setpoint that was never written holds its attribute's default. Values live per
// tag, not per item, so that every item of a tag sees the same value, and a value
// written while no item is advised is there when one is.
//
// Thread safety: not thread-safe; one thread uses a store at a time.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <mxgw/schema/mx_types_generated.h>

#include "worker/common/outcome.h"
#include "worker/sim/galaxy.h"

namespace mxgw::sim {

// A value as a client wrote it.
struct WriteValue {
  proto::MxDataType type = proto::MxDataType::NoData;  // Boolean, Integer, Float, Double or String
  double number = 0;                                   // the numeric types (Boolean as 0/1)
  std::string_view text;                               // String
};

struct SetpointValue {
  double number = 0;
  std::string text;
  std::int64_t time_ns = 0;  // when it was written
  bool written = false;      // false: the default, and time_ns means nothing
};

class SetpointStore {
 public:
  // REQUIRES: attribute(tag).generator == GeneratorKind::kSetpoint.
  SetpointValue current(TagId tag) const;

  // Accepts `value` into the tag's attribute type and makes it current. A numeric
  // attribute takes any numeric value it can hold exactly (Boolean: 0 or 1;
  // Integer: a whole number in int32 range; Float: rounded to float); a String
  // attribute takes only strings. Errors: ReadOnly when the attribute is not
  // writable, TypeMismatch when the value does not fit.
  worker::Outcome write(TagId tag, const WriteValue& value, std::int64_t time_ns);

 private:
  std::unordered_map<std::uint64_t, SetpointValue> values_;
};

}  // namespace mxgw::sim
