// Replay timing: which rows of a recording are due at a given wall-clock time.
//
// Row i of pass p is due at start + (t_i − t_0 + p × loop period) / speed, where
// t_0 is the recording's first timestamp; speed 0 means as fast as possible (every
// row due at once). A replay that does not loop ends after pass 0. A looping one
// shifts each pass's source timestamps by the loop period (Recording::
// loop_period_ns) so that they keep increasing, and ends only where they would
// leave the int64 range (the year 2262).
//
// The cursor hands out runs of consecutive rows of one pass; the caller maps each
// row's tag to its items and stamps it with time_ns + shift_ns. A run is bounded by
// a row budget, and the next call continues where it stopped.
//
// Thread safety: not thread-safe; the recording must outlive the cursor.

#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "worker/replay/recording.h"

namespace mxgw::replay {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct ReplayRun {
  std::size_t first = 0;      // index into Recording::samples()
  std::size_t count = 0;      // 0: nothing is due
  std::int64_t shift_ns = 0;  // add to each row's time_ns
};

class ReplayCursor {
 public:
  // REQUIRES: speed >= 0 and finite.
  ReplayCursor(const Recording& recording, double speed, bool loop, std::int64_t start_ns);

  // The rows due at or before `now_ns` that have not been handed out, at most
  // `max_rows` of them and all from one pass; count 0 when none is due.
  ReplayRun next(std::int64_t now_ns, std::size_t max_rows);

  // When the next row is due, or kNever once the replay has ended.
  std::int64_t next_due_ns() const;
  bool finished() const { return finished_; }
  std::uint64_t pass() const { return pass_; }

  // When row `row` of pass `pass` is due.
  std::int64_t due_ns(std::size_t row, std::uint64_t pass) const;

 private:
  const Recording& recording_;
  long double speed_;
  bool loop_;
  std::int64_t start_ns_;
  std::size_t row_ = 0;
  std::uint64_t pass_ = 0;
  bool finished_ = false;
};

}  // namespace mxgw::replay
