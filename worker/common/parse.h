// Strict text-to-number helpers shared by the backend option parsers and the replay
// CSV reader. Each accepts exactly the documented form and nothing around it (no
// spaces, no signs where none is allowed), so that a typo is reported instead of
// being read as something else.
//
// Thread safety: pure functions.

#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace mxgw::worker {

// One backend option as it arrives with the session open.
struct OptionPair {
  std::string_view key;
  std::string_view value;
};

// Decimal digits, or "0x"/"0X" followed by hex digits; the whole of `text`.
inline bool parse_uint64(std::string_view text, std::uint64_t* out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text[0] == '+' || text[0] == '-') return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out, base);
  return ec == std::errc() && ptr == end;
}

// true/false, yes/no, on/off, 1/0, in any letter case.
inline bool parse_bool(std::string_view text, bool* out) {
  auto equals = [text](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  if (equals("true") || equals("yes") || equals("on") || equals("1")) {
    *out = true;
    return true;
  }
  if (equals("false") || equals("no") || equals("off") || equals("0")) {
    *out = false;
    return true;
  }
  return false;
}

// A non-negative decimal with an optional fraction ("12", "1.5"), scaled by
// `unit_ns` (nanoseconds per unit) to an integer count of nanoseconds. Fails on
// overflow and on a fraction finer than one nanosecond.
// REQUIRES: unit_ns is a power of ten between 1 and 10^9.
inline bool parse_decimal_nanos(std::string_view text, std::int64_t unit_ns, std::int64_t* out) {
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) return false;
  std::int64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
    if (value > (INT64_MAX - 9) / 10) return false;
    value = value * 10 + (c - '0');
  }
  if (value > INT64_MAX / unit_ns) return false;
  value *= unit_ns;
  std::int64_t place = unit_ns;
  for (char c : fraction) {
    if (c < '0' || c > '9') return false;
    place /= 10;
    if (place == 0) {
      if (c != '0') return false;  // finer than a nanosecond
      continue;
    }
    if (value > INT64_MAX - 9 * place) return false;
    value += (c - '0') * place;
  }
  *out = value;
  return true;
}

}  // namespace mxgw::worker
