// TextTable: rows of text in aligned columns, as mxgwctl prints sessions and numbers.
//
// Thread safety: a value type.

#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mxgw::ctl {

class TextTable {
 public:
  struct Column {
    std::string title;   // all empty: no header line
    bool right = false;  // numbers line up on their last digit
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // A row shorter than the columns is padded with empty cells; extra cells are dropped.
  void add(std::vector<std::string> row);
  // Columns two spaces apart, each as wide as its widest cell; lines end in '\n'.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace mxgw::ctl
