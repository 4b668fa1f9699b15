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

constexpr std::string_view kColumns[] = {"timestamp", "tag", "value", "quality", "type"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status line_error(std::size_t line, const std::string& what) {
  return Status(ErrorCode::InvalidArgument, "line " + std::to_string(line) + ": " + what);
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string type_name(MxDataType type) { return proto::EnumNameMxDataType(type); }

}  // namespace

class RecordingBuilder {
 public:
  // `columns` is the header's column count, or 0 when there is no header.
  Status add_row(const CsvRecord& row, std::size_t columns);
  Status finish(Recording* out);

 private:
  Status add_value(const CsvRecord& row, std::uint32_t id, MxDataType declared, Sample* sample);

  Recording recording_;
  std::vector<std::size_t> first_lines_;  // per tag: the line that fixed its type
  std::vector<bool> declared_;            // per tag: fixed by a type column
  std::size_t previous_line_ = 0;
  std::size_t distinct_times_ = 0;
};

Status RecordingBuilder::add_row(const CsvRecord& row, std::size_t columns) {
  const std::size_t n = row.fields.size();
  if (columns != 0 && n != columns) {
    return line_error(row.line, std::to_string(n) + " fields, but the header has " + std::to_string(columns));
  }
  if (n != 4 && n != 5) {
    return line_error(row.line,
                      std::to_string(n) + " fields; a row is timestamp,tag,value,quality with an optional type");
  }
  Sample sample{};
  const std::string_view time_text = row.fields[0].text;
  if (!parse_timestamp(time_text, &sample.time_ns)) {
    return line_error(row.line, "bad timestamp " + quoted(time_text) +
                                    ": expected integer nanoseconds since the Unix epoch or ISO-8601 UTC "
                                    "such as 2026-11-28T17:01:05.123456789Z");
  }
  std::vector<Sample>& samples = recording_.samples_;
  if (!samples.empty() && sample.time_ns < samples.back().time_ns) {
    return line_error(row.line, "timestamp " + quoted(time_text) + " is earlier than the one on line " +
                                    std::to_string(previous_line_) + "; rows must be in time order");
  }
  const std::string_view tag = row.fields[1].text;
  if (tag.empty()) return line_error(row.line, "empty tag name");
  if (!parse_quality(row.fields[3].text, &sample.quality)) {
    return line_error(row.line,
                      "bad quality " + quoted(row.fields[3].text) + ": expected a 32-bit word, decimal or 0x hex");
  }
  MxDataType declared = MxDataType::NoData;
  if (n == 5 && !row.fields[4].text.empty() && !parse_type_name(row.fields[4].text, &declared)) {
    return line_error(
        row.line, "bad type " + quoted(row.fields[4].text) + ": expected Boolean, Integer, Float, Double or String");
  }

  auto [it, added] = recording_.ids_.try_emplace(lower(tag), static_cast<std::uint32_t>(recording_.tags_.size()));
  if (added) {
    const CsvField& value = row.fields[2];
    MxDataType type = declared;
    if (type == MxDataType::NoData) {
      if (value.text.empty() && !value.quoted) {
        return line_error(row.line, "empty value for new tag " + quoted(tag) +
                                        ": write \"\" for an empty string, or give a type column");
      }
      type = infer_type(value.text, value.quoted);
    }
    recording_.tags_.push_back(RecordedTag{std::string(tag), type});
    first_lines_.push_back(row.line);
    declared_.push_back(declared != MxDataType::NoData);
  }
  sample.tag = it->second;
  Status status = add_value(row, sample.tag, declared, &sample);
  if (!status.is_ok()) return status;

  if (samples.empty() || sample.time_ns != samples.back().time_ns) ++distinct_times_;
  samples.push_back(sample);
  previous_line_ = row.line;
  return Status();
}

Status RecordingBuilder::add_value(const CsvRecord& row, std::uint32_t id, MxDataType declared, Sample* sample) {
  RecordedTag& tag = recording_.tags_[id];
  const std::string since = " (fixed on line " + std::to_string(first_lines_[id]) + ")";
  if (declared != MxDataType::NoData && declared != tag.data_type) {
    return line_error(row.line, "type " + type_name(declared) + " disagrees with tag " + quoted(tag.name) + "'s type " +
                                    type_name(tag.data_type) + since);
  }
  const std::string_view text = row.fields[2].text;
  if (tag.data_type == MxDataType::String) {
    std::string& arena = recording_.text_;
    if (arena.size() + text.size() > 0xFFFFFFFF) {
      return line_error(row.line, "the recording's strings exceed 4 GiB");
    }
    sample->payload = (std::uint64_t{arena.size()} << 32) | text.size();
    arena += text;
    return Status();
  }
  double number = 0;
  if (!parse_number(tag.data_type, text, &number)) {
    const bool widens =
        tag.data_type == MxDataType::Integer && !declared_[id] && parse_number(MxDataType::Double, text, &number);
    if (!widens) {
      return line_error(row.line, "value " + quoted(text) + " is not a valid " + type_name(tag.data_type) +
                                      ", the type of tag " + quoted(tag.name) + since);
    }
    tag.data_type = MxDataType::Double;
  }
  sample->payload = std::bit_cast<std::uint64_t>(number);
  return Status();
}

Status RecordingBuilder::finish(Recording* out) {
  const std::vector<Sample>& samples = recording_.samples_;
  if (samples.empty()) return Status(ErrorCode::InvalidArgument, "the recording has no rows");
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

bool Recording::find(std::string_view name, std::uint32_t* id) const {
  auto it = ids_.find(lower(name));
  if (it == ids_.end()) return false;
  *id = it->second;
  return true;
}

Status parse_recording(std::string_view csv, Recording* out) {
  CsvReader reader(csv);
  CsvRecord row;
  Status status;
  RecordingBuilder builder;
  std::size_t columns = 0;
  bool first = true;
  while (reader.next(&row, &status)) {
    if (first && !row.fields.empty() && lower(row.fields[0].text) == kColumns[0]) {
      columns = row.fields.size();
      bool valid = columns == 4 || columns == 5;
      for (std::size_t i = 0; valid && i < columns; ++i) valid = lower(row.fields[i].text) == kColumns[i];
      if (!valid) return line_error(row.line, "the header must be timestamp,tag,value,quality[,type]");
      first = false;
      continue;
    }
    first = false;
    status = builder.add_row(row, columns);
    if (!status.is_ok()) return status;
  }
  if (!status.is_ok()) return status;
  return builder.finish(out);
}

Status read_recording_file(const std::string& path, Recording* out) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) {
    return Status(ErrorCode::InvalidArgument,
                  path + ": cannot open: " + std::error_code(errno, std::generic_category()).message());
  }
  std::string contents(static_cast<std::size_t>(file.tellg()), '\0');
  file.seekg(0);
  if (!file.read(contents.data(), static_cast<std::streamsize>(contents.size()))) {
    return Status(ErrorCode::InvalidArgument, path + ": read failed");
  }
  Status status = parse_recording(contents, out);
  if (!status.is_ok()) return Status(status.code(), path + ": " + status.message());
  return Status();
}

}  // namespace mxgw::replay
