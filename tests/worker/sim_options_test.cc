// The sim backend's options: every key's accepted forms, and an error naming the
// key for everything else.

#include "worker/sim/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace mxgw::sim {
namespace {

using worker::OptionPair;

Status parse(std::vector<OptionPair> pairs, SimOptions* out) { return parse_sim_options(pairs, out); }

void expect_rejected(std::string_view key, std::string_view value) {
  SimOptions options;
  options.seed = 77;
  const Status status = parse({{key, value}}, &options);
  EXPECT_EQ(status.code(), ErrorCode::InvalidArgument) << key << "=" << value;
  EXPECT_NE(status.message().find("'" + std::string(key) + "'"), std::string::npos) << status.message();
  EXPECT_EQ(options.seed, 77u) << "left unchanged on error";
}

TEST(SimOptions, Defaults) {
  SimOptions options;
  options.seed = 5;
  ASSERT_TRUE(parse({}, &options).is_ok());
  EXPECT_EQ(options.seed, 0u);
  EXPECT_EQ(options.period_override_ns, 0);
  EXPECT_FALSE(options.quality_changes);
  for (std::uint32_t n : options.tags.instances) EXPECT_EQ(n, kDefaultInstances);
}

TEST(SimOptions, AcceptsEveryKey) {
  SimOptions options;
  ASSERT_TRUE(
      parse({{"seed", "0xFFFFFFFFFFFFFFFF"}, {"rate_ms", "2.5"}, {"quality_changes", "Yes"}, {"tags", "Tank:200,pump"}},
            &options)
          .is_ok());
  EXPECT_EQ(options.seed, ~std::uint64_t{0});
  EXPECT_EQ(options.period_override_ns, 2'500'000);
  EXPECT_TRUE(options.quality_changes);
  EXPECT_EQ(options.tags.instances, (std::array<std::uint32_t, 4>{200, 1000, 0, 0}));
}

TEST(SimOptions, RateBounds) {
  SimOptions options;
  ASSERT_TRUE(parse({{"rate_ms", "1"}}, &options).is_ok());
  EXPECT_EQ(options.period_override_ns, 1'000'000);
  ASSERT_TRUE(parse({{"rate_ms", "1.000001"}}, &options).is_ok());
  EXPECT_EQ(options.period_override_ns, 1'000'001);
  ASSERT_TRUE(parse({{"rate_ms", "3600000"}}, &options).is_ok());
  EXPECT_EQ(options.period_override_ns, 3'600'000'000'000);
  for (const char* bad :
       {"0.5", "0", "3600000.5", "1.0000001", "", "1.", ".5", "-1", "1e3", " 1", "fast", "99999999999999999999"}) {
    expect_rejected("rate_ms", bad);
  }
}

TEST(SimOptions, SeedForms) {
  SimOptions options;
  ASSERT_TRUE(parse({{"seed", "18446744073709551615"}}, &options).is_ok());
  EXPECT_EQ(options.seed, ~std::uint64_t{0});
  for (const char* bad : {"", "-1", "+1", "18446744073709551616", "0x", "12ab", "seed"}) {
    expect_rejected("seed", bad);
  }
}

TEST(SimOptions, QualityChangesForms) {
  SimOptions options;
  ASSERT_TRUE(parse({{"quality_changes", "on"}}, &options).is_ok());
  EXPECT_TRUE(options.quality_changes);
  ASSERT_TRUE(parse({{"quality_changes", "FALSE"}}, &options).is_ok());
  EXPECT_FALSE(options.quality_changes);
  for (const char* bad : {"", "maybe", "2", "truee"}) expect_rejected("quality_changes", bad);
}

TEST(SimOptions, TagSets) {
  SimOptions options;
  ASSERT_TRUE(parse({{"tags", "5000"}}, &options).is_ok());
  EXPECT_EQ(options.tags.instances, (std::array<std::uint32_t, 4>{5000, 5000, 5000, 5000}));
  ASSERT_TRUE(parse({{"tags", "Line:1000000"}}, &options).is_ok());
  EXPECT_EQ(options.tags.instances, (std::array<std::uint32_t, 4>{0, 0, 0, 1000000}));
  for (const char* bad :
       {"", "0", "1000001", "Tank:0", "Tank:", "Tank:01", "Tank,Tank", "Boiler", "Tank,", ",Tank", "Tank:5:5"}) {
    expect_rejected("tags", bad);
  }
}

TEST(SimOptions, UnknownAndRepeatedKeysAreErrors) {
  SimOptions options;
  Status status = parse({{"sed", "1"}}, &options);
  EXPECT_EQ(status.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(status.message().find("unknown sim option 'sed'"), std::string::npos) << status.message();
  status = parse({{"seed", "1"}, {"seed", "2"}}, &options);
  EXPECT_EQ(status.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(status.message().find("'seed' given twice"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace mxgw::sim
