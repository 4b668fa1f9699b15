// Coalescing a backlog: each item keeps only its newest due update, the count of
// dropped ones is exact, and what follows is what would have followed anyway.

#include <gtest/gtest.h>

#include <vector>

#include "worker/sim/scheduler.h"

namespace mxgw::sim {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'795'000'000'000 * kMs;

class NoStrings : public StringSink {
 public:
  void on_string_change(const StringChange& c) override { texts.emplace_back(c.value); }
  std::vector<std::string> texts;
};

TagId resolve(std::string_view name) {
  TagId tag;
  EXPECT_TRUE(Galaxy().resolve(name, &tag).ok()) << name;
  return tag;
}

TEST(SimCoalesce, KeepsEachItemsNewestAndContinuesUnchanged) {
  SimOptions options;
  options.seed = 3;
  options.period_override_ns = kMs;
  options.quality_changes = true;
  Scheduler coalesced(options), reference(options);
  const char* names[] = {"Line_001.Counter", "Valve_002.Position", "Tank_003.Level", "Pump_004.Running",
                         "Tank_005.Product"};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(coalesced.add({1, i}, resolve(names[i]), kT0));
    ASSERT_TRUE(reference.add({1, i}, resolve(names[i]), kT0));
  }
  NoStrings strings, reference_strings;
  std::vector<proto::DataChange> out(4096), all(4096);

  // Slots kT0 .. kT0+99ms are due: 100 per item, of which 99 go.
  const std::int64_t now = kT0 + 99 * kMs + kMs / 2;
  EXPECT_EQ(coalesced.coalesce(now), 5u * 99);
  const PollResult r = coalesced.poll(now, out, strings);
  ASSERT_EQ(r.numeric, 4u);
  ASSERT_EQ(r.strings, 1u);
  EXPECT_EQ(r.next_due_ns, kT0 + 100 * kMs);
  const PollResult full = reference.poll(now, all, reference_strings);
  ASSERT_EQ(full.numeric, 400u);
  ASSERT_EQ(full.strings, 100u);
  // The reference's last slot holds the same values as the coalesced poll().
  for (std::size_t i = 0; i < 4; ++i) {
    const proto::DataChange& a = out[i];
    const proto::DataChange& b = all[full.numeric - 4 + i];
    EXPECT_EQ(a.item_handle(), b.item_handle());
    EXPECT_EQ(a.source_time_ns(), kT0 + 99 * kMs);
    EXPECT_EQ(a.source_time_ns(), b.source_time_ns());
    EXPECT_EQ(a.value(), b.value());
    EXPECT_EQ(a.quality(), b.quality());
  }
  EXPECT_EQ(strings.texts.back(), reference_strings.texts.back());

  // Afterwards both emit the same updates.
  const std::int64_t later = kT0 + 150 * kMs;
  const PollResult after = coalesced.poll(later, out, strings);
  const PollResult after_reference = reference.poll(later, all, reference_strings);
  ASSERT_EQ(after.numeric, after_reference.numeric);
  for (std::size_t i = 0; i < after.numeric; ++i) {
    EXPECT_EQ(out[i].item_handle(), all[i].item_handle());
    EXPECT_EQ(out[i].source_time_ns(), all[i].source_time_ns());
    EXPECT_EQ(out[i].value(), all[i].value());
    EXPECT_EQ(out[i].quality(), all[i].quality());
  }
  EXPECT_EQ(coalesced.coalesce(later), 0u) << "nothing left behind";
}

TEST(SimCoalesce, KeepsOnlyTheLastWriteOfASetpoint) {
  Scheduler s(SimOptions{});
  const TagId target = resolve("Line_001.Target");
  ASSERT_TRUE(s.add({1, 1}, target, kT0));
  ASSERT_TRUE(s.add({1, 2}, resolve("Valve_001.Command"), kT0));
  for (int v = 1; v <= 3; ++v) {
    ASSERT_TRUE(s.write(target, WriteValue{proto::MxDataType::Integer, static_cast<double>(v), {}}, kT0 + v).ok());
  }
  EXPECT_EQ(s.coalesce(kT0 + 10), 3u) << "the initial value and two of three writes";
  NoStrings strings;
  std::vector<proto::DataChange> out(16);
  const PollResult r = s.poll(kT0 + 10, out, strings);
  ASSERT_EQ(r.numeric, 2u);
  EXPECT_EQ(out[0].item_handle(), 2);
  EXPECT_EQ(out[1].item_handle(), 1);
  EXPECT_EQ(out[1].value(), 3.0);
  EXPECT_EQ(out[1].source_time_ns(), kT0 + 3);
}

}  // namespace
}  // namespace mxgw::sim
