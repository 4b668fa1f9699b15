// The replay backend's options.

#include "worker/replay/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace mxgw::replay {
namespace {

using worker::OptionPair;

Status parse(std::vector<OptionPair> pairs, ReplayOptions* out) { return parse_replay_options(pairs, out); }

TEST(ReplayOptions, DefaultsAndForms) {
  ReplayOptions options;
  ASSERT_TRUE(parse({{"file", "/data/plant.csv"}}, &options).is_ok());
  EXPECT_EQ(options.file, "/data/plant.csv");
  EXPECT_EQ(options.speed, 1.0);
  EXPECT_FALSE(options.loop);
  ASSERT_TRUE(parse({{"speed", "max"}, {"loop", "true"}, {"file", "x.csv"}}, &options).is_ok());
  EXPECT_EQ(options.speed, 0.0);
  EXPECT_TRUE(options.loop);
  ASSERT_TRUE(parse({{"speed", "0.25"}, {"file", "x.csv"}}, &options).is_ok());
  EXPECT_EQ(options.speed, 0.25);
}

TEST(ReplayOptions, ErrorsNameTheKey) {
  struct Case {
    std::vector<OptionPair> pairs;
    const char* message;
  };
  const Case cases[] = {
      {{}, "replay option 'file' is required"},
      {{{"file", ""}}, "replay option 'file': bad value ''"},
      {{{"file", "a"}, {"speed", "0"}}, "replay option 'speed': bad value '0'"},
      {{{"file", "a"}, {"speed", "-1"}}, "replay option 'speed'"},
      {{{"file", "a"}, {"speed", "fast"}}, "replay option 'speed'"},
      {{{"file", "a"}, {"speed", "1000001"}}, "replay option 'speed'"},
      {{{"file", "a"}, {"loop", "sometimes"}}, "replay option 'loop': bad value 'sometimes'"},
      {{{"file", "a"}, {"file", "b"}}, "replay option 'file' given twice"},
      {{{"file", "a"}, {"rate", "2"}}, "unknown replay option 'rate'"},
  };
  for (const Case& c : cases) {
    ReplayOptions options;
    options.file = "kept";
    const Status status = parse(c.pairs, &options);
    EXPECT_EQ(status.code(), ErrorCode::InvalidArgument);
    EXPECT_EQ(status.message().rfind(c.message, 0), 0u) << status.message();
    EXPECT_EQ(options.file, "kept");
  }
}

}  // namespace
}  // namespace mxgw::replay
