// The CSV state machine. Quoted fields without an escaped quote are returned as
// views of the text; only those with "" are copied, into a buffer kept per field
// index so that earlier fields of the same record stay valid.

#include "worker/replay/csv_reader.h"

namespace mxgw::replay {

namespace {

Status line_error(std::size_t line, const std::string& what) {
  return Status(ErrorCode::InvalidArgument, "line " + std::to_string(line) + ": " + what);
}

}  // namespace

void CsvReader::skip_ignored_lines() {
  while (pos_ < text_.size()) {
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    const std::string_view line = text_.substr(pos_, end - pos_);
    const bool comment = !line.empty() && line[0] == '#';
    const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (!comment && !blank) return;
    pos_ = end < text_.size() ? end + 1 : end;
    if (end < text_.size()) ++line_;
  }
}

bool CsvReader::read_field(std::size_t index, CsvField* field, Status* error) {
  if (pos_ >= text_.size() || text_[pos_] != '"') {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') {
      if (text_[pos_] == '"') {
        *error = line_error(line_, "a quote inside an unquoted field (quote the whole field)");
        return false;
      }
      ++pos_;
    }
    std::size_t end = pos_;
    if (end > start && text_[end - 1] == '\r' && (pos_ == text_.size() || text_[pos_] == '\n')) --end;
    *field = CsvField{text_.substr(start, end - start), false};
    return true;
  }
  const std::size_t opening_line = line_;
  const std::size_t start = ++pos_;
  bool escaped = false;
  for (;; ++pos_) {
    if (pos_ >= text_.size()) {
      *error = line_error(opening_line, "a quoted field is never closed");
      return false;
    }
    if (text_[pos_] == '\n') ++line_;
    if (text_[pos_] != '"') continue;
    if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
      escaped = true;
      ++pos_;
      continue;
    }
    break;
  }
  std::string_view content = text_.substr(start, pos_ - start);
  ++pos_;  // the closing quote
  if (pos_ < text_.size() && text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')) {
    ++pos_;
  }
  if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') {
    *error = line_error(line_, "text after the closing quote of a field");
    return false;
  }
  if (escaped) {
    if (unescaped_.size() <= index) unescaped_.resize(index + 1);
    std::string& out = unescaped_[index];
    out.clear();
    for (std::size_t i = 0; i < content.size(); ++i) {
      out += content[i];
      if (content[i] == '"') ++i;  // the second quote of a pair
    }
    content = out;
  }
  *field = CsvField{content, true};
  return true;
}

bool CsvReader::next(CsvRecord* out, Status* error) {
  *error = Status();
  skip_ignored_lines();
  if (pos_ >= text_.size()) return false;
  out->line = line_;
  out->fields.clear();
  for (std::size_t index = 0;; ++index) {
    CsvField field;
    if (!read_field(index, &field, error)) return false;
    out->fields.push_back(field);
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < text_.size()) {  // the line break
      ++pos_;
      ++line_;
    }
    return true;
  }
}

}  // namespace mxgw::replay
