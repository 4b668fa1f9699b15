// Aligning the cells of a TextTable.

#include "tools/mxgwctl/text_table.h"

#include <algorithm>

namespace mxgw::ctl {

void TextTable::add(std::vector<std::string> row) {
  row.resize(columns_.size());
  rows_.push_back(std::move(row));
}

std::string TextTable::render() const {
  const bool header = std::any_of(columns_.begin(), columns_.end(), [](const Column& c) { return !c.title.empty(); });
  std::vector<size_t> width(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    width[c] = header ? columns_[c].title.size() : 0;
    for (const auto& row : rows_) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string padding(width[c] - cells[c].size(), ' ');
      if (c > 0) text += "  ";
      text += columns_[c].right ? padding + cells[c] : cells[c] + padding;
    }
    // Left-aligned last columns would leave trailing spaces.
    text.erase(text.find_last_not_of(' ') + 1);
    out += text + '\n';
  };
  if (header) {
    std::vector<std::string> titles;
    for (const Column& c : columns_) titles.push_back(c.title);
    line(titles);
  }
  for (const auto& row : rows_) line(row);
  return out;
}

}  // namespace mxgw::ctl
