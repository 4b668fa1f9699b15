// An RFC 4180 record reader over text held in memory: fields separated by commas,
// records by LF or CRLF, fields optionally in double quotes, inside which commas and
// line breaks are data and "" stands for one quote. On top of RFC 4180, lines that
// are empty or hold only spaces and tabs are skipped, and so are lines whose first
// character is '#'.
//
// Each record carries the line on which it starts, for error messages.
//
// Thread safety: not thread-safe; the text must outlive the reader and the fields
// of a record are valid until the next call to next().

#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <mxgw/status.h>

namespace mxgw::replay {

struct CsvField {
  std::string_view text;  // without the quotes and with "" made one quote
  bool quoted = false;
};

struct CsvRecord {
  std::size_t line = 0;
  std::vector<CsvField> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // Reads the next record into `*out`. Returns false at the end of the text or on an
  // error; `*error` is then not ok, naming the line, or ok at the end.
  bool next(CsvRecord* out, Status* error);

 private:
  void skip_ignored_lines();
  // Reads one field starting at pos_, leaving pos_ on the comma, line break or end.
  bool read_field(std::size_t index, CsvField* field, Status* error);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  // Per field index, for quoted fields with "". A deque, so that growing it leaves
  // the strings of earlier fields, and the views of them, where they are.
  std::deque<std::string> unescaped_;
};

}  // namespace mxgw::replay
