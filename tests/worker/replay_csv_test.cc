// The RFC 4180 reader: quoting, line endings, skipped lines, and errors that name
// the line where the broken record starts.

#include "worker/replay/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mxgw::replay {
namespace {

struct Row {
  std::size_t line;
  std::vector<std::string> fields;
  std::vector<bool> quoted;
  bool operator==(const Row&) const = default;
};

std::vector<Row> read_all(std::string_view text, Status* status) {
  CsvReader reader(text);
  CsvRecord record;
  std::vector<Row> rows;
  while (reader.next(&record, status)) {
    Row row{record.line, {}, {}};
    for (const CsvField& f : record.fields) {
      row.fields.emplace_back(f.text);
      row.quoted.push_back(f.quoted);
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<Row> read_all_ok(std::string_view text) {
  Status status;
  std::vector<Row> rows = read_all(text, &status);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return rows;
}

TEST(ReplayCsv, SplitsFieldsAndRecords) {
  const auto rows = read_all_ok("a,b,c\n1,,3\r\nlast,line");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "", "3"})) << "CR of CRLF dropped";
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"last", "line"}));
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_EQ(read_all_ok("x,\n")[0].fields, (std::vector<std::string>{"x", ""}));
}

TEST(ReplayCsv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const auto rows = read_all_ok(
      "1,\"Dark, roast\",\"say \"\"hi\"\"\"\n"
      "2,\"two\nlines\",\"\"\r\n"
      "3,after,\"x\"");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"1", "Dark, roast", "say \"hi\""}));
  EXPECT_EQ(rows[0].quoted, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"2", "two\nlines", ""}));
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[2].line, 4u) << "the quoted line break counts as a line";
  EXPECT_EQ(rows[2].fields[2], "x");
}

TEST(ReplayCsv, EscapedFieldsOfOneRecordStayValidTogether) {
  const auto rows = read_all_ok("\"a\"\"\",\"b\"\"\",\"c\"\"\",\"d\"\"\",\"e\"\"\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a\"", "b\"", "c\"", "d\"", "e\""}));
}

TEST(ReplayCsv, SkipsBlankAndCommentLinesButCountsThem) {
  const auto rows = read_all_ok("# a comment, with a comma\n\n   \r\n\t\na,b\n#x\n\nc,d\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 5u);
  EXPECT_EQ(rows[1].line, 8u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(read_all_ok("").empty());
  EXPECT_TRUE(read_all_ok("# only\n").empty());
}

TEST(ReplayCsv, ErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"a,b\nc,\"open\nd,e\n", "line 2: a quoted field is never closed"},
      {"a,b\nc,d\ne,f\"g\n", "line 3: a quote inside an unquoted field"},
      {"a\n\"x\"y,z\n", "line 2: text after the closing quote"},
      {"\"a\nb\" c\n", "line 2: text after the closing quote"},
  };
  for (const Case& c : cases) {
    Status status;
    read_all(c.text, &status);
    EXPECT_EQ(status.code(), ErrorCode::InvalidArgument) << c.text;
    EXPECT_EQ(status.message().rfind(c.message, 0), 0u) << status.message();
  }
}

}  // namespace
}  // namespace mxgw::replay
