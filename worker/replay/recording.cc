// Building a Recording row by row. Everything a row is checked against — the
// previous timestamp, each tag's type and the line that fixed it — is kept here, so
// that an error can say which earlier line it conflicts with.

#include "worker/replay/recording.h"

#include <bit>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "worker/replay/csv_reader.h"
#include "worker/replay/fields.h"

namespace mxgw::replay {
namespace {

using proto::MxDataType;
using worker::Status;
using worker::StatusCode;

constexpr std::string_view kColumns[] = {"timestamp", "tag", "value", "quality", "type"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status LineError(std::size_t line, const std::string& what) {
  return Status::Error(StatusCode::kInvalidArgument, "line " + std::to_string(line) + ": " + what);
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string TypeName(MxDataType type) { return proto::EnumNameMxDataType(type); }

}  // namespace

class RecordingBuilder {
 public:
  // `columns` is the header's column count, or 0 when there is no header.
  Status AddRow(const CsvRecord& row, std::size_t columns);
  Status Finish(Recording* out);

 private:
  Status AddValue(const CsvRecord& row, std::uint32_t id, MxDataType declared, Sample* sample);

  Recording recording_;
  std::vector<std::size_t> first_lines_;  // per tag: the line that fixed its type
  std::vector<bool> declared_;            // per tag: fixed by a type column
  std::size_t previous_line_ = 0;
  std::size_t distinct_times_ = 0;
};

Status RecordingBuilder::AddRow(const CsvRecord& row, std::size_t columns) {
  const std::size_t n = row.fields.size();
  if (columns != 0 && n != columns) {
    return LineError(row.line, std::to_string(n) + " fields, but the header has " + std::to_string(columns));
  }
  if (n != 4 && n != 5) {
    return LineError(row.line, std::to_string(n) +
                                   " fields; a row is timestamp,tag,value,quality with an optional type");
  }
  Sample sample{};
  const std::string_view time_text = row.fields[0].text;
  if (!ParseTimestamp(time_text, &sample.time_ns)) {
    return LineError(row.line, "bad timestamp " + Quoted(time_text) +
                                   ": expected integer nanoseconds since the Unix epoch or ISO-8601 UTC "
                                   "such as 2026-11-28T17:01:05.123456789Z");
  }
  std::vector<Sample>& samples = recording_.samples_;
  if (!samples.empty() && sample.time_ns < samples.back().time_ns) {
    return LineError(row.line, "timestamp " + Quoted(time_text) + " is earlier than the one on line " +
                                   std::to_string(previous_line_) + "; rows must be in time order");
  }
  const std::string_view tag = row.fields[1].text;
  if (tag.empty()) return LineError(row.line, "empty tag name");
  if (!ParseQuality(row.fields[3].text, &sample.quality)) {
    return LineError(row.line, "bad quality " + Quoted(row.fields[3].text) +
                                   ": expected a 32-bit word, decimal or 0x hex");
  }
  MxDataType declared = MxDataType::NoData;
  if (n == 5 && !row.fields[4].text.empty() && !ParseTypeName(row.fields[4].text, &declared)) {
    return LineError(row.line, "bad type " + Quoted(row.fields[4].text) +
                                   ": expected Boolean, Integer, Float, Double or String");
  }

  auto [it, added] = recording_.ids_.try_emplace(Lower(tag), static_cast<std::uint32_t>(recording_.tags_.size()));
  if (added) {
    const CsvField& value = row.fields[2];
    MxDataType type = declared;
    if (type == MxDataType::NoData) {
      if (value.text.empty() && !value.quoted) {
        return LineError(row.line, "empty value for new tag " + Quoted(tag) +
                                       ": write \"\" for an empty string, or give a type column");
      }
      type = InferType(value.text, value.quoted);
    }
    recording_.tags_.push_back(RecordedTag{std::string(tag), type});
    first_lines_.push_back(row.line);
    declared_.push_back(declared != MxDataType::NoData);
  }
  sample.tag = it->second;
  Status status = AddValue(row, sample.tag, declared, &sample);
  if (!status.ok()) return status;

  if (samples.empty() || sample.time_ns != samples.back().time_ns) ++distinct_times_;
  samples.push_back(sample);
  previous_line_ = row.line;
  return Status();
}

Status RecordingBuilder::AddValue(const CsvRecord& row, std::uint32_t id, MxDataType declared,
                                  Sample* sample) {
  RecordedTag& tag = recording_.tags_[id];
  const std::string since = " (fixed on line " + std::to_string(first_lines_[id]) + ")";
  if (declared != MxDataType::NoData && declared != tag.data_type) {
    return LineError(row.line, "type " + TypeName(declared) + " disagrees with tag " + Quoted(tag.name) +
                                   "'s type " + TypeName(tag.data_type) + since);
  }
  const std::string_view text = row.fields[2].text;
  if (tag.data_type == MxDataType::String) {
    std::string& arena = recording_.text_;
    if (arena.size() + text.size() > 0xFFFFFFFF) {
      return LineError(row.line, "the recording's strings exceed 4 GiB");
    }
    sample->payload = (std::uint64_t{arena.size()} << 32) | text.size();
    arena += text;
    return Status();
  }
  double number = 0;
  if (!ParseNumber(tag.data_type, text, &number)) {
    const bool widens = tag.data_type == MxDataType::Integer && !declared_[id] &&
                        ParseNumber(MxDataType::Double, text, &number);
    if (!widens) {
      return LineError(row.line, "value " + Quoted(text) + " is not a valid " + TypeName(tag.data_type) +
                                     ", the type of tag " + Quoted(tag.name) + since);
    }
    tag.data_type = MxDataType::Double;
  }
  sample->payload = std::bit_cast<std::uint64_t>(number);
  return Status();
}

Status RecordingBuilder::Finish(Recording* out) {
  const std::vector<Sample>& samples = recording_.samples_;
  if (samples.empty()) return Status::Error(StatusCode::kInvalidArgument, "the recording has no rows");
  const std::int64_t span = samples.back().time_ns - samples.front().time_ns;
  std::int64_t period = 1'000'000'000;
  if (distinct_times_ > 1) {
    const std::int64_t mean = span / static_cast<std::int64_t>(distinct_times_ - 1);
    period = span > INT64_MAX - mean ? INT64_MAX : span + mean;
  }
  recording_.loop_period_ns_ = period;
  *out = std::move(recording_);
  return Status();
}

bool Recording::Find(std::string_view name, std::uint32_t* id) const {
  auto it = ids_.find(Lower(name));
  if (it == ids_.end()) return false;
  *id = it->second;
  return true;
}

Status ParseRecording(std::string_view csv, Recording* out) {
  CsvReader reader(csv);
  CsvRecord row;
  Status status;
  RecordingBuilder builder;
  std::size_t columns = 0;
  bool first = true;
  while (reader.Next(&row, &status)) {
    if (first && !row.fields.empty() && Lower(row.fields[0].text) == kColumns[0]) {
      columns = row.fields.size();
      bool valid = columns == 4 || columns == 5;
      for (std::size_t i = 0; valid && i < columns; ++i) valid = Lower(row.fields[i].text) == kColumns[i];
      if (!valid) return LineError(row.line, "the header must be timestamp,tag,value,quality[,type]");
      first = false;
      continue;
    }
    first = false;
    status = builder.AddRow(row, columns);
    if (!status.ok()) return status;
  }
  if (!status.ok()) return status;
  return builder.Finish(out);
}

Status ReadRecordingFile(const std::string& path, Recording* out) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) {
    return Status::Error(StatusCode::kIoError,
                         path + ": cannot open: " + std::error_code(errno, std::generic_category()).message());
  }
  std::string contents(static_cast<std::size_t>(file.tellg()), '\0');
  file.seekg(0);
  if (!file.read(contents.data(), static_cast<std::streamsize>(contents.size()))) {
    return Status::Error(StatusCode::kIoError, path + ": read failed");
  }
  Status status = ParseRecording(contents, out);
  if (!status.ok()) return Status::Error(status.code(), path + ": " + status.message());
  return Status();
}

}  // namespace mxgw::replay
