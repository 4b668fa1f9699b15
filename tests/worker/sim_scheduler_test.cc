// The scheduler's contract: exact timestamps on the period grid, every update once
// and in order per item whatever the budget, and the same output for the same seed.

#include "worker/sim/scheduler.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace mxgw::sim {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'795'000'000'000 * kMs;  // a 2026 time

// One update as a test sees it, numeric or string alike.
struct Update {
  std::int32_t server, item;
  std::uint32_t quality;
  std::int64_t time_ns;
  double number;
  std::string text;
  auto operator<=>(const Update&) const = default;
};

// Polls a scheduler and keeps every update in emission order.
class Collector : public StringSink {
 public:
  void on_string_change(const StringChange& c) override {
    pending_strings_.push_back(
        {c.position, {c.server_handle, c.item_handle, c.quality, c.source_time_ns, 0, std::string(c.value)}});
  }

  PollResult poll(Scheduler& s, std::int64_t now, std::size_t budget) {
    std::vector<proto::DataChange> out(budget);
    pending_strings_.clear();
    const PollResult r = s.poll(now, out, *this);
    EXPECT_EQ(r.strings, pending_strings_.size());
    // Interleave by position: strings at their positions, numeric ones fill the rest.
    std::size_t next_numeric = 0, next_string = 0;
    for (std::size_t pos = 0; pos < r.numeric + r.strings; ++pos) {
      if (next_string < pending_strings_.size() && pending_strings_[next_string].first == pos) {
        updates.push_back(pending_strings_[next_string++].second);
      } else {
        const proto::DataChange& d = out[next_numeric++];
        updates.push_back({d.server_handle(), d.item_handle(), d.quality(), d.source_time_ns(), d.value(), ""});
        EXPECT_EQ(d.data_type(), types[d.item_handle()]);
      }
    }
    EXPECT_EQ(next_numeric, r.numeric);
    return r;
  }

  std::map<std::int32_t, std::vector<Update>> per_item() const {
    std::map<std::int32_t, std::vector<Update>> m;
    for (const Update& u : updates) m[u.item].push_back(u);
    return m;
  }

  std::vector<Update> updates;
  std::map<std::int32_t, proto::MxDataType> types;

 private:
  std::vector<std::pair<std::size_t, Update>> pending_strings_;
};

TagId resolve(std::string_view name) {
  TagId tag;
  EXPECT_TRUE(Galaxy(TagSet{{5000, 5000, 5000, 5000}}).resolve(name, &tag).ok()) << name;
  return tag;
}

// Adds `count` items cycling through every periodic attribute of every type.
void add_mixed(Scheduler& s, Collector& c, int count, std::int64_t now) {
  int handle = 0;
  for (std::uint32_t instance = 0; handle < count; ++instance) {
    for (std::size_t t = 0; t < kObjectTypes && handle < count; ++t) {
      for (std::size_t a = 0; a < object_types()[t].attributes.size() && handle < count; ++a) {
        const TagId tag{static_cast<std::uint8_t>(t), static_cast<std::uint8_t>(a), instance};
        ++handle;
        c.types[handle] = attribute(tag).data_type;
        ASSERT_TRUE(s.add({1, handle}, tag, now));
      }
    }
  }
}

TEST(SimScheduler, TimestampsAreTheScheduledSlotsExactly) {
  Scheduler s(SimOptions{});
  Collector c;
  c.types[7] = proto::MxDataType::Integer;
  ASSERT_TRUE(s.add({1, 7}, resolve("Line_001.Counter"), kT0 + 50 * kMs));
  EXPECT_EQ(s.next_due_ns(), kT0) << "the current value is due at once";
  const PollResult r = c.poll(s, kT0 + 350 * kMs, 100);
  ASSERT_EQ(r.numeric, 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.updates[i].time_ns, kT0 + i * 100 * kMs);
    EXPECT_EQ(c.updates[i].number, c.updates[0].number + i);
    EXPECT_EQ(c.updates[i].quality, 0xC0u);
    EXPECT_EQ(c.updates[i].server, 1);
    EXPECT_EQ(c.updates[i].item, 7);
  }
  EXPECT_EQ(r.next_due_ns, kT0 + 400 * kMs);
  EXPECT_EQ(c.poll(s, kT0 + 399 * kMs, 100).numeric, 0u);
  EXPECT_EQ(c.poll(s, kT0 + 400 * kMs, 100).numeric, 1u);
}

TEST(SimScheduler, RateOverrideAppliesToEveryItem) {
  SimOptions options;
  options.period_override_ns = 2'500'000;
  Scheduler s(options);
  Collector c;
  add_mixed(s, c, 40, kT0);
  c.poll(s, kT0 + 100 * kMs, 100'000);
  for (const auto& [item, updates] : c.per_item()) {
    // A setpoint emits its value once; a periodic item every 2.5 ms from kT0 on.
    if (updates.size() == 1) continue;
    ASSERT_EQ(updates.size(), 41u) << "item " << item;
    for (std::size_t i = 0; i < updates.size(); ++i) {
      EXPECT_EQ(updates[i].time_ns, kT0 + static_cast<std::int64_t>(i) * 2'500'000);
    }
  }
  EXPECT_EQ(s.next_due_ns(), kT0 + 102'500'000);
}

TEST(SimScheduler, NothingActiveIsNeverDue) {
  Scheduler s(SimOptions{});
  EXPECT_EQ(s.next_due_ns(), kNever);
  Collector c;
  EXPECT_EQ(c.poll(s, kT0, 10).next_due_ns, kNever);
}

// The same run polled with tiny budgets and with one large budget emits the same
// updates in the same order.
TEST(SimScheduler, BudgetedEmissionLosesAndRepeatsNothing) {
  SimOptions options;
  options.seed = 42;
  options.quality_changes = true;
  options.period_override_ns = kMs;
  Scheduler whole(options), pieces(options);
  Collector a, b;
  add_mixed(whole, a, 300, kT0 + kMs / 3);
  add_mixed(pieces, b, 300, kT0 + kMs / 3);
  a.poll(whole, kT0 + 200 * kMs, 1'000'000);

  std::size_t budget = 1;
  for (std::int64_t now = kT0; now <= kT0 + 200 * kMs; now += kMs / 2) {
    PollResult r;
    do {
      r = b.poll(pieces, now, budget);
      budget = budget % 97 + 1;
    } while (r.next_due_ns <= now);
  }
  ASSERT_EQ(a.updates.size(), b.updates.size());
  EXPECT_EQ(a.updates, b.updates);
  EXPECT_EQ(whole.next_due_ns(), pieces.next_due_ns());
}

TEST(SimScheduler, ItemsAddedAndRemovedMidSlotKeepTheirSequences) {
  SimOptions options;
  options.period_override_ns = kMs;
  Scheduler s(options);
  Collector c;
  std::map<std::int32_t, std::int64_t> added_at;
  std::int32_t next_handle = 1;
  std::vector<std::int32_t> live;
  const TagId tags[] = {resolve("Line_001.Counter"), resolve("Tank_001.Level"), resolve("Line_002.Batch"),
                        resolve("Pump_003.Speed")};
  std::int64_t now = kT0;
  for (int round = 0; round < 400; ++round) {
    now += kMs / 3;
    for (int i = 0; i < 3; ++i) {
      const std::int32_t h = next_handle++;
      const TagId tag = tags[h % 4];
      c.types[h] = attribute(tag).data_type;
      ASSERT_TRUE(s.add({1, h}, tag, now));
      added_at[h] = now;
      live.push_back(h);
    }
    if (round % 2 == 1) {
      const std::int32_t victim = live[static_cast<std::size_t>(round * 7) % live.size()];
      EXPECT_TRUE(s.remove({1, victim}));
      EXPECT_FALSE(s.remove({1, victim}));
      std::erase(live, victim);
    }
    const std::size_t before = c.updates.size();
    c.poll(s, now, 5);  // a budget too small for a slot: later rounds resume mid-slot
    for (std::size_t i = before + 1; i < c.updates.size(); ++i) {
      ASSERT_LE(c.updates[i - 1].time_ns, c.updates[i].time_ns) << "time order within a Poll";
    }
  }
  while (c.poll(s, now, 1000).next_due_ns <= now) {
  }
  for (const auto& [item, updates] : c.per_item()) {
    ASSERT_FALSE(updates.empty());
    EXPECT_EQ(updates.front().time_ns, added_at[item] / kMs * kMs) << "item " << item;
    for (std::size_t i = 1; i < updates.size(); ++i) {
      ASSERT_EQ(updates[i].time_ns, updates[i - 1].time_ns + kMs) << "item " << item;
    }
    if (std::find(live.begin(), live.end(), item) != live.end()) {
      EXPECT_EQ(updates.back().time_ns, now / kMs * kMs) << "live item " << item << " caught up";
    }
  }
  EXPECT_EQ(s.size(), live.size());
}

TEST(SimScheduler, DefaultPeriodsInterleaveInTimeOrder) {
  Scheduler s(SimOptions{});
  Collector c;
  add_mixed(s, c, 500, kT0 + 123 * kMs);
  std::int64_t now = kT0;
  while (now < kT0 + 130'000 * kMs) {
    now += 777 * kMs;
    const std::size_t before = c.updates.size();
    c.poll(s, now, 1'000'000);
    for (std::size_t i = before + 1; i < c.updates.size(); ++i) {
      // Setpoints come first, stamped at their advise; periodic updates follow in order.
      if (c.updates[i - 1].time_ns == kT0 + 123 * kMs) continue;
      ASSERT_LE(c.updates[i - 1].time_ns, c.updates[i].time_ns);
    }
  }
  for (const auto& [item, updates] : c.per_item()) {
    if (updates.size() == 1) continue;  // a setpoint
    const std::int64_t period = updates[1].time_ns - updates[0].time_ns;
    EXPECT_EQ(updates.front().time_ns, (kT0 + 123 * kMs) / period * period);
    for (std::size_t i = 1; i < updates.size(); ++i) {
      ASSERT_EQ(updates[i].time_ns - updates[i - 1].time_ns, period) << "item " << item;
    }
    EXPECT_GT(updates.back().time_ns, now - period);
  }
}

TEST(SimScheduler, SameSeedSameOutputOtherSeedOtherOutput) {
  SimOptions options;
  options.seed = 7;
  Scheduler a(options), b(options);
  options.seed = 8;
  Scheduler other(options);
  Collector ca, cb, co;
  add_mixed(a, ca, 200, kT0);
  add_mixed(b, cb, 200, kT0);
  add_mixed(other, co, 200, kT0);
  ca.poll(a, kT0 + 5000 * kMs, 100'000);
  cb.poll(b, kT0 + 5000 * kMs, 100'000);
  co.poll(other, kT0 + 5000 * kMs, 100'000);
  EXPECT_EQ(ca.updates, cb.updates);
  ASSERT_EQ(ca.updates.size(), co.updates.size());
  EXPECT_NE(ca.updates, co.updates);
}

TEST(SimScheduler, DuplicateHandlesAreRefused) {
  Scheduler s(SimOptions{});
  ASSERT_TRUE(s.add({1, 1}, resolve("Tank_001.Level"), kT0));
  EXPECT_FALSE(s.add({1, 1}, resolve("Tank_002.Level"), kT0));
  EXPECT_TRUE(s.add({2, 1}, resolve("Tank_001.Level"), kT0));
}

}  // namespace
}  // namespace mxgw::sim
