// Replay timing: rows fall due at start + offset / speed, every row is handed out
// exactly once whatever the budget, and a loop shifts each pass's timestamps on.

#include "worker/replay/cursor.h"

#include <gtest/gtest.h>

#include <vector>

namespace mxgw::replay {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kStart = 1'795'000'000'000 * kMs;

Recording parse(std::string_view csv) {
  Recording recording;
  const Status status = parse_recording(csv, &recording);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return recording;
}

// Rows 0 ms, 10 ms, 10 ms, 30 ms after the first: loop period 30 + 15 ms.
const char kCsv[] =
    "1000000000,a,1,192\n"
    "1010000000,b,2,192\n"
    "1010000000,a,3,192\n"
    "1030000000,b,4,192\n";

TEST(ReplayCursor, RealTimeHandsOutRowsAsTheyFallDue) {
  const Recording r = parse(kCsv);
  ReplayCursor cursor(r, 1, false, kStart);
  EXPECT_EQ(cursor.next_due_ns(), kStart);
  ReplayRun run = cursor.next(kStart, 100);
  EXPECT_EQ(run.first, 0u);
  EXPECT_EQ(run.count, 1u);
  EXPECT_EQ(run.shift_ns, 0);
  EXPECT_EQ(cursor.next_due_ns(), kStart + 10 * kMs);
  EXPECT_EQ(cursor.next(kStart + 10 * kMs - 1, 100).count, 0u);
  run = cursor.next(kStart + 29 * kMs, 100);
  EXPECT_EQ(run.first, 1u);
  EXPECT_EQ(run.count, 2u) << "rows with equal timestamps leave together";
  run = cursor.next(kStart + 30 * kMs, 100);
  EXPECT_EQ(run.count, 1u);
  EXPECT_TRUE(cursor.finished());
  EXPECT_EQ(cursor.next_due_ns(), kNever);
  EXPECT_EQ(cursor.next(kStart + 1'000'000 * kMs, 100).count, 0u);
}

TEST(ReplayCursor, SpeedMultipleScalesTheSchedule) {
  const Recording r = parse(kCsv);
  ReplayCursor ten(r, 10, false, kStart);
  EXPECT_EQ(ten.due_ns(1, 0), kStart + kMs);
  EXPECT_EQ(ten.due_ns(3, 0), kStart + 3 * kMs);
  EXPECT_EQ(ten.next(kStart + 2 * kMs, 100).count, 3u);
  EXPECT_EQ(ten.next_due_ns(), kStart + 3 * kMs);
  ReplayCursor half(r, 0.5, false, kStart);
  EXPECT_EQ(half.due_ns(3, 0), kStart + 60 * kMs);
  ReplayCursor third(r, 3, false, kStart);
  EXPECT_EQ(third.due_ns(1, 0), kStart + 3'333'333) << "rounded to the nearest nanosecond";
}

TEST(ReplayCursor, AsFastAsPossibleHandsEverythingOutAtOnce) {
  const Recording r = parse(kCsv);
  ReplayCursor cursor(r, 0, false, kStart);
  EXPECT_EQ(cursor.due_ns(3, 0), kStart);
  EXPECT_EQ(cursor.next(kStart, 1000).count, 4u);
  EXPECT_TRUE(cursor.finished());
}

TEST(ReplayCursor, BudgetsLoseAndRepeatNoRow) {
  std::string csv;
  for (int i = 0; i < 1000; ++i) csv += std::to_string(1'000'000 + i * 7 / 3) + ",t,1,192\n";
  const Recording r = parse(csv);
  ReplayCursor cursor(r, 2, true, kStart);
  std::vector<std::int64_t> times;
  std::size_t budget = 1;
  for (std::int64_t now = kStart; times.size() < 2500; now += 333) {
    for (ReplayRun run = cursor.next(now, budget); run.count != 0; run = cursor.next(now, budget)) {
      for (std::size_t i = run.first; i < run.first + run.count; ++i) {
        times.push_back(r.samples()[i].time_ns + run.shift_ns);
        ASSERT_LE(cursor.due_ns(i, static_cast<std::uint64_t>(run.shift_ns / r.loop_period_ns())), now);
      }
      budget = budget % 13 + 1;
    }
  }
  for (std::size_t i = 0; i < times.size(); ++i) {
    const std::uint64_t pass = i / 1000;
    EXPECT_EQ(times[i], r.samples()[i % 1000].time_ns + static_cast<std::int64_t>(pass) * r.loop_period_ns());
  }
}

TEST(ReplayCursor, LoopingShiftsEachPassByTheLoopPeriod) {
  const Recording r = parse(kCsv);
  ASSERT_EQ(r.loop_period_ns(), 45 * kMs);
  ReplayCursor cursor(r, 1, true, kStart);
  EXPECT_EQ(cursor.next(kStart + 30 * kMs, 100).count, 4u);
  EXPECT_FALSE(cursor.finished());
  EXPECT_EQ(cursor.pass(), 1u);
  EXPECT_EQ(cursor.next_due_ns(), kStart + 45 * kMs);
  const ReplayRun run = cursor.next(kStart + 55 * kMs, 100);
  EXPECT_EQ(run.first, 0u);
  EXPECT_EQ(run.count, 3u);
  EXPECT_EQ(run.shift_ns, 45 * kMs);
  EXPECT_GT(r.samples()[0].time_ns + run.shift_ns, r.last_ns()) << "timestamps keep increasing";
  EXPECT_EQ(cursor.next(kStart + 3 * 45 * kMs, 100).shift_ns, 45 * kMs);
  EXPECT_EQ(cursor.next(kStart + 3 * 45 * kMs, 100).shift_ns, 2 * 45 * kMs);
}

TEST(ReplayCursor, LoopingEndsWhereTimestampsWouldOverflow) {
  const Recording r = parse("9223372030000000000,a,1,192\n9223372031000000000,a,2,192\n");
  ReplayCursor cursor(r, 0, true, kStart);
  ASSERT_EQ(r.loop_period_ns(), 2'000'000'000);
  EXPECT_EQ(cursor.next(kStart, 100).count, 2u);
  EXPECT_EQ(cursor.next(kStart, 100).shift_ns, 2'000'000'000);
  const ReplayRun last = cursor.next(kStart, 100);
  EXPECT_EQ(last.count, 2u);
  EXPECT_EQ(last.shift_ns, 4'000'000'000) << "ends at 9223372035 s, a pass later would overflow";
  EXPECT_TRUE(cursor.finished());
  EXPECT_EQ(cursor.pass(), 2u);
}

}  // namespace
}  // namespace mxgw::replay
