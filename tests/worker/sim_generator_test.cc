// Generators: values are a function of (seed, tag, period, k) — positioning a state
// at k directly or stepping to k gives the same bits — and they stay in range.

#include "worker/sim/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

namespace mxgw::sim {
namespace {

constexpr std::int64_t kPeriod = 1'000'000;          // 1 ms
constexpr std::int64_t kStartK = 1'795'000'000'000;  // a 2026 time, in ms

TagId resolve(std::string_view name) {
  TagId tag;
  EXPECT_TRUE(Galaxy().resolve(name, &tag).ok()) << name;
  return tag;
}

double next(ItemState& s) {
  const double* sine = sine_table();
  switch (s.kind) {
    case GeneratorKind::kCounter:
      return next_value<GeneratorKind::kCounter>(s, sine);
    case GeneratorKind::kRamp:
      return next_value<GeneratorKind::kRamp>(s, sine);
    case GeneratorKind::kSine:
      return next_value<GeneratorKind::kSine>(s, sine);
    case GeneratorKind::kRandomWalk:
      return next_value<GeneratorKind::kRandomWalk>(s, sine);
    case GeneratorKind::kToggle:
      return next_value<GeneratorKind::kToggle>(s, sine);
    default:
      ADD_FAILURE() << "not numeric";
      return 0;
  }
}

ItemState state(std::string_view name, std::uint64_t seed, std::int64_t k) {
  return make_item_state(resolve(name), seed, kPeriod, k, false, 1, 2);
}

const char* const kPureNumeric[] = {"Line_001.Counter", "Valve_013.Position", "Tank_042.Level",
                                    "Pump_007.Running", "Line_001.Rate",      "Pump_999.Starts"};

TEST(SimGenerator, SteppingEqualsPositioningDirectly) {
  for (const char* name : kPureNumeric) {
    ItemState stepped = state(name, 9, kStartK);
    for (std::int64_t k = kStartK; k < kStartK + 5000; ++k) {
      ItemState direct = state(name, 9, k);
      const double a = next(stepped);
      const double b = next(direct);
      ASSERT_EQ(a, b) << name << " k=" << k;
    }
  }
}

TEST(SimGenerator, SameSeedSameValuesOtherSeedOtherValues) {
  for (const char* name :
       {"Line_001.Counter", "Valve_013.Position", "Tank_042.Level", "Tank_042.Temperature", "Pump_007.Running"}) {
    ItemState a = state(name, 1, kStartK), b = state(name, 1, kStartK), c = state(name, 2, kStartK);
    int differences = 0;
    for (int i = 0; i < 1000; ++i) {
      const double va = next(a);
      ASSERT_EQ(va, next(b)) << name;
      differences += va != next(c);
    }
    EXPECT_GT(differences, 0) << name;
  }
}

TEST(SimGenerator, InstancesOfOneAttributeDiffer) {
  ItemState a = state("Tank_001.Level", 1, kStartK), b = state("Tank_002.Level", 1, kStartK);
  EXPECT_NE(next(a), next(b));
}

TEST(SimGenerator, CounterCountsUpByOne) {
  ItemState s = state("Line_001.Counter", 3, kStartK);
  double previous = next(s);
  for (int i = 0; i < 1000; ++i) {
    const double v = next(s);
    EXPECT_EQ(v, previous + 1);
    previous = v;
  }
}

TEST(SimGenerator, ValuesStayInRangeAndType) {
  for (const char* name : {"Valve_013.Position", "Tank_042.Level", "Tank_042.Temperature", "Pump_007.Speed",
                           "Line_001.Rate", "Valve_001.Open"}) {
    const AttributeDef& def = attribute(resolve(name));
    ItemState s = state(name, 11, kStartK);
    std::set<double> distinct;
    for (int i = 0; i < 200'000; ++i) {
      const double v = next(s);
      ASSERT_GE(v, def.low) << name;
      ASSERT_LE(v, def.high) << name;
      if (def.data_type == proto::MxDataType::Float) {
        ASSERT_EQ(v, static_cast<double>(static_cast<float>(v))) << name;
      }
      if (def.data_type == proto::MxDataType::Boolean) {
        ASSERT_TRUE(v == 0 || v == 1) << name;
      }
      if (distinct.size() < 3) distinct.insert(v);
    }
    EXPECT_GE(distinct.size(), 2u) << name << " never moves";
  }
}

TEST(SimGenerator, RandomWalkIsReproducibleFromItsStart) {
  ItemState a = state("Pump_007.Speed", 5, kStartK), b = state("Pump_007.Speed", 5, kStartK);
  double previous = next(a);
  next(b);
  const double largest_step = attribute(resolve("Pump_007.Speed")).shape * 3000;
  for (int i = 0; i < 10'000; ++i) {
    const double v = next(a);
    ASSERT_EQ(v, next(b));
    ASSERT_LE(std::abs(v - previous), largest_step * (1 + 1e-12));
    previous = v;
  }
}

TEST(SimGenerator, QualityIsGoodUnlessAsked) {
  ItemState s = make_item_state(resolve("Tank_042.Level"), 1, kPeriod, kStartK, false, 0, 0);
  EXPECT_EQ(s.quality, kQualityGood);
  std::set<std::uint32_t> seen;
  for (std::int64_t k = 0; k < 64 * 2000; ++k) {
    const std::uint32_t q = quality_at(s.seed, k);
    ASSERT_EQ(q, quality_at(s.seed, k - (k & 63))) << "constant over a run of 64";
    seen.insert(q);
  }
  EXPECT_EQ(seen, (std::set<std::uint32_t>{0x18, 0x40, 0xC0, 0x1C0}));
}

TEST(SimGenerator, TextIsShortAndDeterministic) {
  const ItemState s = state("Tank_042.Product", 8, 0);
  char a[32], b[32];
  std::set<std::string> values;
  for (std::int64_t k = 0; k < 16 * 100; k += 16) {
    const std::string_view text = text_at(s, k, a);
    EXPECT_EQ(text, text_at(s, k, b));
    EXPECT_EQ(text, text_at(s, k + 15, b)) << "stable for a run of 16 updates";
    EXPECT_LE(text.size(), 16u);
    values.insert(std::string(text));
  }
  EXPECT_EQ(values.size(), 100u);
  EXPECT_EQ(std::string(text_at(state("Line_005.Batch", 8, 0), 16 * 42, a)), "BATCH-0042");
}

}  // namespace
}  // namespace mxgw::sim
