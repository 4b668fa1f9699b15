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

TagId Resolve(std::string_view name) {
  TagId tag;
  EXPECT_TRUE(Galaxy().Resolve(name, &tag).ok()) << name;
  return tag;
}

double Next(ItemState& s) {
  const double* sine = SineTable();
  switch (s.kind) {
    case GeneratorKind::kCounter: return NextValue<GeneratorKind::kCounter>(s, sine);
    case GeneratorKind::kRamp: return NextValue<GeneratorKind::kRamp>(s, sine);
    case GeneratorKind::kSine: return NextValue<GeneratorKind::kSine>(s, sine);
    case GeneratorKind::kRandomWalk: return NextValue<GeneratorKind::kRandomWalk>(s, sine);
    case GeneratorKind::kToggle: return NextValue<GeneratorKind::kToggle>(s, sine);
    default: ADD_FAILURE() << "not numeric"; return 0;
  }
}

ItemState State(std::string_view name, std::uint64_t seed, std::int64_t k) {
  return MakeItemState(Resolve(name), seed, kPeriod, k, false, 1, 2);
}

const char* const kPureNumeric[] = {"Line_001.Counter", "Valve_013.Position", "Tank_042.Level",
                                    "Pump_007.Running", "Line_001.Rate", "Pump_999.Starts"};

TEST(SimGenerator, SteppingEqualsPositioningDirectly) {
  for (const char* name : kPureNumeric) {
    ItemState stepped = State(name, 9, kStartK);
    for (std::int64_t k = kStartK; k < kStartK + 5000; ++k) {
      ItemState direct = State(name, 9, k);
      const double a = Next(stepped);
      const double b = Next(direct);
      ASSERT_EQ(a, b) << name << " k=" << k;
    }
  }
}

TEST(SimGenerator, SameSeedSameValuesOtherSeedOtherValues) {
  for (const char* name : {"Line_001.Counter", "Valve_013.Position", "Tank_042.Level",
                           "Tank_042.Temperature", "Pump_007.Running"}) {
    ItemState a = State(name, 1, kStartK), b = State(name, 1, kStartK), c = State(name, 2, kStartK);
    int differences = 0;
    for (int i = 0; i < 1000; ++i) {
      const double va = Next(a);
      ASSERT_EQ(va, Next(b)) << name;
      differences += va != Next(c);
    }
    EXPECT_GT(differences, 0) << name;
  }
}

TEST(SimGenerator, InstancesOfOneAttributeDiffer) {
  ItemState a = State("Tank_001.Level", 1, kStartK), b = State("Tank_002.Level", 1, kStartK);
  EXPECT_NE(Next(a), Next(b));
}

TEST(SimGenerator, CounterCountsUpByOne) {
  ItemState s = State("Line_001.Counter", 3, kStartK);
  double previous = Next(s);
  for (int i = 0; i < 1000; ++i) {
    const double v = Next(s);
    EXPECT_EQ(v, previous + 1);
    previous = v;
  }
}

TEST(SimGenerator, ValuesStayInRangeAndType) {
  for (const char* name : {"Valve_013.Position", "Tank_042.Level", "Tank_042.Temperature",
                           "Pump_007.Speed", "Line_001.Rate", "Valve_001.Open"}) {
    const AttributeDef& def = Attribute(Resolve(name));
    ItemState s = State(name, 11, kStartK);
    std::set<double> distinct;
    for (int i = 0; i < 200'000; ++i) {
      const double v = Next(s);
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
  ItemState a = State("Pump_007.Speed", 5, kStartK), b = State("Pump_007.Speed", 5, kStartK);
  double previous = Next(a);
  Next(b);
  const double largest_step = Attribute(Resolve("Pump_007.Speed")).shape * 3000;
  for (int i = 0; i < 10'000; ++i) {
    const double v = Next(a);
    ASSERT_EQ(v, Next(b));
    ASSERT_LE(std::abs(v - previous), largest_step * (1 + 1e-12));
    previous = v;
  }
}

TEST(SimGenerator, QualityIsGoodUnlessAsked) {
  ItemState s = MakeItemState(Resolve("Tank_042.Level"), 1, kPeriod, kStartK, false, 0, 0);
  EXPECT_EQ(s.quality, kQualityGood);
  std::set<std::uint32_t> seen;
  for (std::int64_t k = 0; k < 64 * 2000; ++k) {
    const std::uint32_t q = QualityAt(s.seed, k);
    ASSERT_EQ(q, QualityAt(s.seed, k - (k & 63))) << "constant over a run of 64";
    seen.insert(q);
  }
  EXPECT_EQ(seen, (std::set<std::uint32_t>{0x18, 0x40, 0xC0, 0x1C0}));
}

TEST(SimGenerator, TextIsShortAndDeterministic) {
  const ItemState s = State("Tank_042.Product", 8, 0);
  char a[32], b[32];
  std::set<std::string> values;
  for (std::int64_t k = 0; k < 16 * 100; k += 16) {
    const std::string_view text = TextAt(s, k, a);
    EXPECT_EQ(text, TextAt(s, k, b));
    EXPECT_EQ(text, TextAt(s, k + 15, b)) << "stable for a run of 16 updates";
    EXPECT_LE(text.size(), 16u);
    values.insert(std::string(text));
  }
  EXPECT_EQ(values.size(), 100u);
  EXPECT_EQ(std::string(TextAt(State("Line_005.Batch", 8, 0), 16 * 42, a)), "BATCH-0042");
}

}  // namespace
}  // namespace mxgw::sim
