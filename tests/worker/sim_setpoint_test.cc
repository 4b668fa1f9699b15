// Writable attributes: a write is checked against the attribute, stored per tag,
// and echoed to every advised item of the tag with the write's own timestamp.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "worker/sim/scheduler.h"

namespace mxgw::sim {
namespace {

using proto::CommandError;
using proto::MxDataType;

constexpr std::int64_t kT0 = 1'795'000'000'000'000'000;

TagId resolve(std::string_view name) {
  TagId tag;
  EXPECT_TRUE(Galaxy().resolve(name, &tag).ok()) << name;
  return tag;
}

class Strings : public StringSink {
 public:
  void on_string_change(const StringChange& c) override {
    changes.push_back(c);
    texts.emplace_back(c.value);
  }
  std::vector<StringChange> changes;
  std::vector<std::string> texts;
};

WriteValue number(MxDataType type, double v) { return WriteValue{type, v, {}}; }

TEST(SimSetpoints, AdviseGivesTheDefaultThenWritesEcho) {
  Scheduler s(SimOptions{});
  Strings strings;
  std::vector<proto::DataChange> out(16);
  const TagId sp = resolve("Tank_042.Level.Setpoint");
  ASSERT_TRUE(s.add({3, 4}, sp, kT0 + 5));
  EXPECT_EQ(s.next_due_ns(), kT0 + 5);
  PollResult r = s.poll(kT0 + 10, out, strings);
  ASSERT_EQ(r.numeric, 1u);
  EXPECT_EQ(out[0].value(), 50.0);
  EXPECT_EQ(out[0].source_time_ns(), kT0 + 5);
  EXPECT_EQ(out[0].data_type(), MxDataType::Double);
  EXPECT_EQ(r.next_due_ns, kNever) << "a setpoint never changes by itself";

  ASSERT_TRUE(s.write(sp, number(MxDataType::Integer, 75), kT0 + 20).ok());
  ASSERT_TRUE(s.write(sp, number(MxDataType::Double, 80.5), kT0 + 30).ok());
  r = s.poll(kT0 + 40, out, strings);
  ASSERT_EQ(r.numeric, 2u) << "every write echoes";
  EXPECT_EQ(out[0].value(), 75.0);
  EXPECT_EQ(out[0].source_time_ns(), kT0 + 20);
  EXPECT_EQ(out[1].value(), 80.5);
  EXPECT_EQ(out[1].source_time_ns(), kT0 + 30);
  EXPECT_EQ(out[1].server_handle(), 3);
  EXPECT_EQ(out[1].item_handle(), 4);
}

TEST(SimSetpoints, EveryItemOfTheTagSeesAWriteAndLaterAdvisesSeeTheValue) {
  Scheduler s(SimOptions{});
  Strings strings;
  std::vector<proto::DataChange> out(16);
  const TagId target = resolve("Line_001.Target");
  ASSERT_TRUE(s.write(target, number(MxDataType::Integer, 1234), kT0 + 1).ok());
  ASSERT_TRUE(s.add({1, 1}, target, kT0 + 9));
  ASSERT_TRUE(s.add({1, 2}, target, kT0 + 9));
  ASSERT_TRUE(s.add({1, 3}, resolve("Line_002.Target"), kT0 + 9));
  PollResult r = s.poll(kT0 + 10, out, strings);
  ASSERT_EQ(r.numeric, 3u);
  EXPECT_EQ(out[0].value(), 1234.0);
  EXPECT_EQ(out[0].source_time_ns(), kT0 + 1) << "stamped when it was written";
  EXPECT_EQ(out[2].value(), 1000.0) << "another tag keeps its default";

  ASSERT_TRUE(s.write(target, number(MxDataType::Integer, 7), kT0 + 11).ok());
  EXPECT_TRUE(s.remove({1, 2}));
  r = s.poll(kT0 + 12, out, strings);
  ASSERT_EQ(r.numeric, 1u) << "a removed item's pending echo is dropped";
  EXPECT_EQ(out[0].item_handle(), 1);
  EXPECT_EQ(out[0].value(), 7.0);
}

TEST(SimSetpoints, StringSetpointsEchoThroughTheStringSink) {
  Scheduler s(SimOptions{});
  Strings strings;
  std::vector<proto::DataChange> out(16);
  const TagId recipe = resolve("Line_004.Recipe");
  ASSERT_TRUE(s.add({1, 1}, resolve("Valve_001.Command"), kT0));
  ASSERT_TRUE(s.add({1, 2}, recipe, kT0));
  ASSERT_TRUE(s.write(recipe, WriteValue{MxDataType::String, 0, "Dark, roast"}, kT0 + 1).ok());
  const PollResult r = s.poll(kT0 + 2, out, strings);
  EXPECT_EQ(r.numeric, 1u);
  ASSERT_EQ(r.strings, 2u);
  EXPECT_EQ(strings.texts, (std::vector<std::string>{"Standard", "Dark, roast"}));
  EXPECT_EQ(strings.changes[0].position, 1u) << "after Valve_001.Command's value";
  EXPECT_EQ(strings.changes[1].position, 2u);
  EXPECT_EQ(strings.changes[1].source_time_ns, kT0 + 1);
}

TEST(SimSetpoints, WritesAreCheckedAgainstTheAttribute) {
  Scheduler s(SimOptions{});
  struct Case {
    const char* tag;
    WriteValue value;
    CommandError error;
  };
  const Case cases[] = {
      {"Tank_001.Level", number(MxDataType::Double, 1), CommandError::ReadOnly},
      {"Line_001.Batch", WriteValue{MxDataType::String, 0, "x"}, CommandError::ReadOnly},
      {"Line_001.Target", number(MxDataType::Double, 2.5), CommandError::TypeMismatch},
      {"Line_001.Target", number(MxDataType::Double, 3e9), CommandError::TypeMismatch},
      {"Line_001.Target", WriteValue{MxDataType::String, 0, "5"}, CommandError::TypeMismatch},
      {"Valve_001.Command", number(MxDataType::Integer, 2), CommandError::TypeMismatch},
      {"Line_001.Recipe", number(MxDataType::Double, 1), CommandError::TypeMismatch},
      {"Line_001.Target", number(MxDataType::Double, -7), CommandError::None},
      {"Valve_001.Command", number(MxDataType::Boolean, 1), CommandError::None},
      {"Pump_001.Speed.Setpoint", number(MxDataType::Float, 1200.25), CommandError::None},
  };
  for (const Case& c : cases) {
    const worker::Outcome outcome = s.write(resolve(c.tag), c.value, kT0);
    EXPECT_EQ(outcome.error, c.error) << c.tag << ": " << outcome.message;
    if (!outcome.ok()) {
      EXPECT_NE(outcome.message.find(c.tag), std::string::npos) << outcome.message;
    }
  }
}

}  // namespace
}  // namespace mxgw::sim
