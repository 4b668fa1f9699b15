// Fuzz target: the replay backend's CSV recording parser. Text that parses must give
// a recording the backend can use as it stands: every tag found again by its name,
// every string sample inside the recording's text, and a replay that hands out
// each row once, in order, at due times that never decrease, whether it runs as fast
// as possible or at a speed and looping, for as many passes as a bounded number of
// steps reaches.
//
// Input: the CSV text.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "worker/replay/cursor.h"
#include "worker/replay/recording.h"

namespace {

using namespace mxgw;

void read_recording(const replay::Recording& recording) {
  const auto& tags = recording.tags();
  for (uint32_t id = 0; id < tags.size(); ++id) {
    uint32_t found = 0;
    fuzz::expect(recording.find(tags[id].name, &found) && found == id, "a tag is not found by its own name");
  }
  for (const replay::Sample& sample : recording.samples()) {
    fuzz::expect(sample.tag < tags.size(), "a sample names no tag");
    if (tags[sample.tag].data_type == proto::MxDataType::String) {
      const std::string_view text = recording.text(sample);
      fuzz::expect(text.size() == (sample.payload & 0xFFFFFFFF), "a string sample reaches past the text");
    }
  }
}

void replay_steps(const replay::Recording& recording, double speed, bool loop) {
  constexpr int kSteps = 64;
  constexpr size_t kRowsPerStep = 7;
  replay::ReplayCursor cursor(recording, speed, loop, 1'000'000'000);
  const size_t rows = recording.samples().size();
  size_t expected_row = 0;
  int64_t previous_due = 0;
  for (int step = 0; step < kSteps && !cursor.finished(); ++step) {
    const int64_t due = cursor.next_due_ns();
    fuzz::expect(due >= previous_due, "a due time went backwards");
    previous_due = due;
    const replay::ReplayRun run = cursor.next(due, kRowsPerStep);
    fuzz::expect(run.count > 0 && run.count <= kRowsPerStep, "a due row was not handed out");
    fuzz::expect(run.first == expected_row && run.first + run.count <= rows, "rows were skipped or repeated");
    expected_row = (run.first + run.count) % rows;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  replay::Recording recording;
  if (!replay::parse_recording({reinterpret_cast<const char*>(data), size}, &recording).is_ok()) return 0;
  fuzz::expect(!recording.samples().empty(), "a recording parsed without rows");
  read_recording(recording);
  replay_steps(recording, 0, false);
  replay_steps(recording, 1, true);
  replay_steps(recording, 1e6, true);
  return 0;
}
