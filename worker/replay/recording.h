// A recording: the rows of a replay CSV file, parsed once and held compactly in
// memory, with tag names interned to small ids.
//
// File format. Rows are `timestamp,tag,value,quality` with an optional fifth
// column `type`; field formats are in fields.h, quoting is RFC 4180 (csv_reader.h),
// and blank lines and lines starting with '#' are skipped. An optional header row
// `timestamp,tag,value,quality[,type]` (any letter case) may come first; with a
// header, every row has its number of columns.
//
// Types. The first row of a tag fixes its type: the row's type column if it has
// one, else inferred from the value (fields.h: quoted → String, true/false →
// Boolean, int32 → Integer, other numbers → Double, other text → String). Later
// rows are read as that type; a later type column must agree; an inferred Integer
// tag that meets a fractional number becomes Double. Write a type column to keep a
// numeric-looking string a String.
//
// Timestamps must not decrease from one row to the next. Tag names match in any
// letter case, as MXAccess names do; a tag keeps the spelling of its first row.
//
// Errors name the line and what is wrong with it.
//
// Thread safety: a Recording is immutable once read and may be shared.

#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <mxgw/schema/mx_types_generated.h>

#include <mxgw/status.h>

namespace mxgw::replay {

struct RecordedTag {
  std::string name;
  proto::MxDataType data_type = proto::MxDataType::NoData;
};

// One row, 24 bytes. `payload` is the value's double bits for numeric tags, or
// offset << 32 | size in the recording's text for String tags.
struct Sample {
  std::int64_t time_ns;
  std::uint32_t tag;
  std::uint32_t quality;
  std::uint64_t payload;

  double number() const { return std::bit_cast<double>(payload); }
};

class Recording {
 public:
  const std::vector<RecordedTag>& tags() const { return tags_; }
  const std::vector<Sample>& samples() const { return samples_; }

  // REQUIRES: tags()[sample.tag].data_type == String.
  std::string_view text(const Sample& sample) const {
    return std::string_view(text_).substr(sample.payload >> 32, sample.payload & 0xFFFFFFFF);
  }

  // The id of the tag named `name` in any letter case; false if there is none.
  bool find(std::string_view name, std::uint32_t* id) const;

  std::int64_t first_ns() const { return samples_.front().time_ns; }
  std::int64_t last_ns() const { return samples_.back().time_ns; }
  // How far each pass of a looping replay shifts the timestamps: the span of the
  // recording plus its mean interval between distinct timestamps, so that a pass
  // follows the previous one as its rows follow each other; one second for a
  // recording with a single timestamp.
  std::int64_t loop_period_ns() const { return loop_period_ns_; }

 private:
  friend class RecordingBuilder;

  std::vector<RecordedTag> tags_;
  std::unordered_map<std::string, std::uint32_t> ids_;  // by lower-case name
  std::vector<Sample> samples_;
  std::string text_;
  std::int64_t loop_period_ns_ = 0;
};

// Parses CSV text. On success the recording holds at least one row.
Status parse_recording(std::string_view csv, Recording* out);

// Reads and parses the file at `path`; messages start with the path.
Status read_recording_file(const std::string& path, Recording* out);

}  // namespace mxgw::replay
