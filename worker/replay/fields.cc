// Field parsers. Dates are converted with the days-from-civil algorithm (Howard
// Hinnant's), exact for every proleptic Gregorian date, so no time zone database or
// C library time function is involved.

#include "worker/replay/fields.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "worker/common/parse.h"

namespace mxgw::replay {
namespace {

using proto::MxDataType;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Reads exactly `n` digits at text[*pos].
bool digits(std::string_view text, std::size_t* pos, std::size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  *out = value;
  return true;
}

bool expect(std::string_view text, std::size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

bool parse_iso8601(std::string_view text, std::int64_t* out) {
  std::size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!digits(text, &pos, 4, &year) || !expect(text, &pos, '-') || !digits(text, &pos, 2, &month) ||
      !expect(text, &pos, '-') || !digits(text, &pos, 2, &day) || !expect(text, &pos, 'T') ||
      !digits(text, &pos, 2, &hour) || !expect(text, &pos, ':') || !digits(text, &pos, 2, &minute) ||
      !expect(text, &pos, ':') || !digits(text, &pos, 2, &second)) {
    return false;
  }
  std::int64_t fraction_ns = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t place = 100'000'000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (place == 0) return false;  // more than nine digits
      fraction_ns += (text[pos] - '0') * place;
      place /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  if (!expect(text, &pos, 'Z') || pos != text.size()) return false;
  if (year < 1970 || year > 2262 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  const std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  if (seconds > (INT64_MAX - fraction_ns) / 1'000'000'000) return false;
  *out = seconds * 1'000'000'000 + fraction_ns;
  return true;
}

// [+-]digits with at least one digit, from *pos on; *pos ends after the digits.
bool signed_digits(std::string_view text, std::size_t* pos) {
  if (*pos < text.size() && (text[*pos] == '+' || text[*pos] == '-')) ++*pos;
  const std::size_t start = *pos;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') ++*pos;
  return *pos > start;
}

bool is_int32(std::string_view text) {
  std::size_t pos = 0;
  if (!signed_digits(text, &pos) || pos != text.size()) return false;
  if (text[0] == '+') text.remove_prefix(1);
  std::int32_t value;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// A decimal number: [+-]digits[.digits][(e|E)[+-]digits], or [+-].digits[...].
bool parse_decimal(std::string_view text, double* out) {
  std::size_t pos = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  std::size_t digits = 0;
  auto skip_digits = [&] {
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) ++digits;
  };
  skip_digits();
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    skip_digits();
  }
  if (digits == 0) return false;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (!signed_digits(text, &pos)) return false;
  }
  if (pos != text.size()) return false;
  if (text[0] == '+') text.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(*out);
}

}  // namespace

bool parse_timestamp(std::string_view text, std::int64_t* out) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && ptr == text.data() + text.size();
  }
  return parse_iso8601(text, out);
}

bool parse_quality(std::string_view text, std::uint32_t* out) {
  std::uint64_t value = 0;
  if (!worker::parse_uint64(text, &value) || value > 0xFFFFFFFF) return false;
  *out = static_cast<std::uint32_t>(value);
  return true;
}

bool parse_type_name(std::string_view text, MxDataType* out) {
  for (MxDataType type :
       {MxDataType::Boolean, MxDataType::Integer, MxDataType::Float, MxDataType::Double, MxDataType::String}) {
    if (equals_ignore_case(text, proto::EnumNameMxDataType(type))) {
      *out = type;
      return true;
    }
  }
  return false;
}

MxDataType infer_type(std::string_view text, bool quoted) {
  double ignored;
  if (quoted) return MxDataType::String;
  if (equals_ignore_case(text, "true") || equals_ignore_case(text, "false")) return MxDataType::Boolean;
  if (is_int32(text)) return MxDataType::Integer;
  if (parse_decimal(text, &ignored)) return MxDataType::Double;
  return MxDataType::String;
}

bool parse_number(MxDataType type, std::string_view text, double* out) {
  switch (type) {
    case MxDataType::Boolean:
      if (equals_ignore_case(text, "true") || text == "1") {
        *out = 1;
      } else if (equals_ignore_case(text, "false") || text == "0") {
        *out = 0;
      } else {
        return false;
      }
      return true;
    case MxDataType::Integer:
      return is_int32(text) && parse_decimal(text, out);
    case MxDataType::Float:
      if (!parse_decimal(text, out) || std::isinf(static_cast<float>(*out))) return false;
      *out = static_cast<double>(static_cast<float>(*out));
      return true;
    case MxDataType::Double:
      return parse_decimal(text, out);
    default:
      return false;
  }
}

}  // namespace mxgw::replay
