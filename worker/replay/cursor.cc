// The replay cursor. Due times are computed from each row's own timestamp rather
// than accumulated, so a long replay at any speed never drifts, and the rows due
// by a given time are found by binary search because due times never decrease.

#include "worker/replay/cursor.h"

#include <algorithm>
#include <cmath>

namespace mxgw::replay {

ReplayCursor::ReplayCursor(const Recording& recording, double speed, bool loop, std::int64_t start_ns)
    : recording_(recording), speed_(static_cast<long double>(speed)), loop_(loop), start_ns_(start_ns) {}

std::int64_t ReplayCursor::due_ns(std::size_t row, std::uint64_t pass) const {
  if (speed_ == 0) return start_ns_;
  // In long double, whose 64-bit mantissa holds every offset exactly.
  const long double offset = static_cast<long double>(recording_.samples()[row].time_ns - recording_.first_ns()) +
                             static_cast<long double>(pass) * static_cast<long double>(recording_.loop_period_ns());
  const long double due = static_cast<long double>(start_ns_) + std::roundl(offset / speed_);
  return due >= static_cast<long double>(kNever) ? kNever : static_cast<std::int64_t>(due);
}

std::int64_t ReplayCursor::next_due_ns() const { return finished_ ? kNever : due_ns(row_, pass_); }

ReplayRun ReplayCursor::next(std::int64_t now_ns, std::size_t max_rows) {
  const std::int64_t shift = static_cast<std::int64_t>(pass_) * recording_.loop_period_ns();
  if (finished_ || max_rows == 0 || due_ns(row_, pass_) > now_ns) return ReplayRun{row_, 0, shift};
  const std::size_t rows = recording_.samples().size();
  std::size_t low = row_ + 1;  // row_ itself is due
  std::size_t high = std::min(rows, row_ + std::min(max_rows, rows));
  while (low < high) {  // the first row in [low, high) not yet due, or high
    const std::size_t mid = low + (high - low) / 2;
    if (due_ns(mid, pass_) <= now_ns) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  const ReplayRun run{row_, low - row_, shift};
  row_ = low;
  if (row_ == rows) {
    // Another pass only while its last timestamp stays in range.
    const std::int64_t period = recording_.loop_period_ns();
    const bool fits = static_cast<std::int64_t>(pass_ + 1) <= (kNever - recording_.last_ns()) / period;
    if (loop_ && fits) {
      ++pass_;
      row_ = 0;
    } else {
      finished_ = true;
    }
  }
  return run;
}

}  // namespace mxgw::replay
