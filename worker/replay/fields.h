// The field formats of a recording row, each parsed strictly:
//
//   timestamp  integer nanoseconds since the Unix epoch (digits only), or ISO-8601
//              UTC: YYYY-MM-DDTHH:MM:SS, an optional fraction of 1 to 9 digits, and
//              Z (2026-11-28T17:01:05.123456789Z). Years 1970 to 2262.
//   quality    the 32-bit OPC DA word, decimal (192) or hex (0xC0).
//   type       Boolean, Integer, Float, Double or String, in any letter case.
//   value      by type: Boolean true/false (any case) or 1/0; Integer a decimal
//              int32; Float and Double a decimal number with optional fraction and
//              exponent (no inf or nan); String any text.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <string_view>

#include <mxgw/schema/mx_types_generated.h>

namespace mxgw::replay {

bool parse_timestamp(std::string_view text, std::int64_t* out);
bool parse_quality(std::string_view text, std::uint32_t* out);
bool parse_type_name(std::string_view text, proto::MxDataType* out);

// The type of an unquoted value when the row declares none: Boolean for true or
// false, Integer for an int32, Double for any other number, String otherwise.
// A quoted value is always a String.
proto::MxDataType infer_type(std::string_view text, bool quoted);

// Parses a numeric value of `type` (Boolean, Integer, Float or Double) into the
// double a DataChange carries.
bool parse_number(proto::MxDataType type, std::string_view text, double* out);

}  // namespace mxgw::replay
