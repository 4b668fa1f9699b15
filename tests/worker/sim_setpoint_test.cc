// Writable attributes: a write is checked against the attribute, stored per tag,
// and echoed to every advised item of the tag with the write's own timestamp.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "worker/sim/scheduler.h"

namespace mxgw::sim {
namespace {

using proto::MxDataType;
using worker::StatusCode;

constexpr std::int64_t kT0 = 1'795'000'000'000'000'000;

TagId Resolve(std::string_view name) {
  TagId tag;
  EXPECT_TRUE(Galaxy().Resolve(name, &tag).ok()) << name;
  return tag;
}

class Strings : public StringSink {
 public:
  void OnStringChange(const StringChange& c) override {
    changes.push_back(c);
    texts.emplace_back(c.value);
  }
  std::vector<StringChange> changes;
  std::vector<std::string> texts;
};

WriteValue Number(MxDataType type, double v) { return WriteValue{type, v, {}}; }

TEST(SimSetpoints, AdviseGivesTheDefaultThenWritesEcho) {
  Scheduler s(SimOptions{});
  Strings strings;
  std::vector<proto::DataChange> out(16);
  const TagId sp = Resolve("Tank_042.Level.Setpoint");
  ASSERT_TRUE(s.Add({3, 4}, sp, kT0 + 5).ok());
  EXPECT_EQ(s.next_due_ns(), kT0 + 5);
  PollResult r = s.Poll(kT0 + 10, out, strings);
  ASSERT_EQ(r.numeric, 1u);
  EXPECT_EQ(out[0].value(), 50.0);
  EXPECT_EQ(out[0].source_time_ns(), kT0 + 5);
  EXPECT_EQ(out[0].data_type(), MxDataType::Double);
  EXPECT_EQ(r.next_due_ns, kNever) << "a setpoint never changes by itself";

  ASSERT_TRUE(s.Write(sp, Number(MxDataType::Integer, 75), kT0 + 20).ok());
  ASSERT_TRUE(s.Write(sp, Number(MxDataType::Double, 80.5), kT0 + 30).ok());
  r = s.Poll(kT0 + 40, out, strings);
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
  const TagId target = Resolve("Line_001.Target");
  ASSERT_TRUE(s.Write(target, Number(MxDataType::Integer, 1234), kT0 + 1).ok());
  ASSERT_TRUE(s.Add({1, 1}, target, kT0 + 9).ok());
  ASSERT_TRUE(s.Add({1, 2}, target, kT0 + 9).ok());
  ASSERT_TRUE(s.Add({1, 3}, Resolve("Line_002.Target"), kT0 + 9).ok());
  PollResult r = s.Poll(kT0 + 10, out, strings);
  ASSERT_EQ(r.numeric, 3u);
  EXPECT_EQ(out[0].value(), 1234.0);
  EXPECT_EQ(out[0].source_time_ns(), kT0 + 1) << "stamped when it was written";
  EXPECT_EQ(out[2].value(), 1000.0) << "another tag keeps its default";

  ASSERT_TRUE(s.Write(target, Number(MxDataType::Integer, 7), kT0 + 11).ok());
  EXPECT_TRUE(s.Remove({1, 2}));
  r = s.Poll(kT0 + 12, out, strings);
  ASSERT_EQ(r.numeric, 1u) << "a removed item's pending echo is dropped";
  EXPECT_EQ(out[0].item_handle(), 1);
  EXPECT_EQ(out[0].value(), 7.0);
}

TEST(SimSetpoints, StringSetpointsEchoThroughTheStringSink) {
  Scheduler s(SimOptions{});
  Strings strings;
  std::vector<proto::DataChange> out(16);
  const TagId recipe = Resolve("Line_004.Recipe");
  ASSERT_TRUE(s.Add({1, 1}, Resolve("Valve_001.Command"), kT0).ok());
  ASSERT_TRUE(s.Add({1, 2}, recipe, kT0).ok());
  ASSERT_TRUE(s.Write(recipe, WriteValue{MxDataType::String, 0, "Dark, roast"}, kT0 + 1).ok());
  const PollResult r = s.Poll(kT0 + 2, out, strings);
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
    StatusCode code;
  };
  const Case cases[] = {
      {"Tank_001.Level", Number(MxDataType::Double, 1), StatusCode::kReadOnly},
      {"Line_001.Batch", WriteValue{MxDataType::String, 0, "x"}, StatusCode::kReadOnly},
      {"Line_001.Target", Number(MxDataType::Double, 2.5), StatusCode::kTypeMismatch},
      {"Line_001.Target", Number(MxDataType::Double, 3e9), StatusCode::kTypeMismatch},
      {"Line_001.Target", WriteValue{MxDataType::String, 0, "5"}, StatusCode::kTypeMismatch},
      {"Valve_001.Command", Number(MxDataType::Integer, 2), StatusCode::kTypeMismatch},
      {"Line_001.Recipe", Number(MxDataType::Double, 1), StatusCode::kTypeMismatch},
      {"Line_001.Target", Number(MxDataType::Double, -7), StatusCode::kOk},
      {"Valve_001.Command", Number(MxDataType::Boolean, 1), StatusCode::kOk},
      {"Pump_001.Speed.Setpoint", Number(MxDataType::Float, 1200.25), StatusCode::kOk},
  };
  for (const Case& c : cases) {
    const worker::Status status = s.Write(Resolve(c.tag), c.value, kT0);
    EXPECT_EQ(status.code(), c.code) << c.tag << ": " << status.message();
    if (!status.ok()) {
      EXPECT_NE(status.message().find(c.tag), std::string::npos) << status.message();
    }
  }
}

}  // namespace
}  // namespace mxgw::sim
