// Reading recordings: rows become compact samples with interned tags and fixed
// types, and every malformed row is reported with its line and its fault.

#include "worker/replay/recording.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace mxgw::replay {
namespace {

using proto::MxDataType;

Recording parse_ok(std::string_view csv) {
  Recording recording;
  const Status status = parse_recording(csv, &recording);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return recording;
}

std::string parse_error(std::string_view csv) {
  Recording recording;
  const Status status = parse_recording(csv, &recording);
  EXPECT_FALSE(status.is_ok()) << csv;
  return status.message();
}

TEST(ReplayRecording, ReadsRowsIntoSamples) {
  const Recording r = parse_ok(
      "# plant recording\n"
      "Timestamp,Tag,Value,Quality\n"
      "\n"
      "1000,Tank_001.Level,12.5,192\n"
      "2026-11-28T17:01:05.123456789Z,Tank_001.Product,\"Dark, roast\",0x1C0\n"
      "2026-11-28T17:01:05.123456789Z,tank_001.level,13,0x40\n"
      "2026-11-28T17:01:06Z,Pump_001.Running,true,0\n");
  ASSERT_EQ(r.tags().size(), 3u);
  EXPECT_EQ(r.tags()[0].name, "Tank_001.Level");
  EXPECT_EQ(r.tags()[0].data_type, MxDataType::Double);
  EXPECT_EQ(r.tags()[1].data_type, MxDataType::String);
  EXPECT_EQ(r.tags()[2].data_type, MxDataType::Boolean);
  ASSERT_EQ(r.samples().size(), 4u);
  EXPECT_EQ(r.samples()[0].time_ns, 1000);
  EXPECT_EQ(r.samples()[0].number(), 12.5);
  EXPECT_EQ(r.samples()[0].quality, 192u);
  EXPECT_EQ(r.samples()[1].time_ns, 1'795'885'265'123'456'789);
  EXPECT_EQ(r.text(r.samples()[1]), "Dark, roast");
  EXPECT_EQ(r.samples()[1].quality, 0x1C0u);
  EXPECT_EQ(r.samples()[2].tag, 0u) << "tag names match in any case";
  EXPECT_EQ(r.samples()[2].number(), 13.0);
  EXPECT_EQ(r.samples()[3].number(), 1.0);
  std::uint32_t id = 99;
  ASSERT_TRUE(r.find("PUMP_001.RUNNING", &id));
  EXPECT_EQ(id, 2u);
  EXPECT_FALSE(r.find("Pump_002.Running", &id));
  EXPECT_EQ(sizeof(Sample), 24u);
}

TEST(ReplayRecording, FirstRowFixesTheTypeAndIntegersBecomeDoubles) {
  const Recording r = parse_ok(
      "1,a,5,192\n"
      "2,a,2.5,192\n"
      "3,b,abc,192\n"
      "4,b,12,192\n"
      "5,c,\"12\",192\n"
      "6,d,12,192,String\n"
      "7,d,x,192,\n"
      "8,e,7,192,Float\n"
      "9,e,0.1,192\n");
  EXPECT_EQ(r.tags()[0].data_type, MxDataType::Double);
  EXPECT_EQ(r.samples()[0].number(), 5.0);
  EXPECT_EQ(r.samples()[1].number(), 2.5);
  EXPECT_EQ(r.tags()[1].data_type, MxDataType::String);
  EXPECT_EQ(r.text(r.samples()[3]), "12") << "a String tag takes any text";
  EXPECT_EQ(r.tags()[2].data_type, MxDataType::String) << "quoted";
  EXPECT_EQ(r.tags()[3].data_type, MxDataType::String) << "declared";
  EXPECT_EQ(r.tags()[4].data_type, MxDataType::Float);
  EXPECT_EQ(r.samples()[8].number(), static_cast<double>(0.1f));
}

TEST(ReplayRecording, ErrorsNameLineAndFault) {
  struct Case {
    const char* csv;
    const char* message;
  };
  const Case cases[] = {
      {"1,a,1,192\n2,a,1\n", "line 2: 3 fields"},
      {"timestamp,tag,value,quality\n1,a,1,192,Double\n", "line 2: 5 fields, but the header has 4"},
      {"timestamp,tag,val,quality\n", "line 1: the header must be"},
      {"\n\nyesterday,a,1,192\n", "line 3: bad timestamp 'yesterday'"},
      {"1,,1,192\n", "line 1: empty tag name"},
      {"1,a,1,good\n", "line 1: bad quality 'good'"},
      {"1,a,1,192,Time\n", "line 1: bad type 'Time'"},
      {"1,a,,192\n", "line 1: empty value for new tag 'a'"},
      {"1,a,true,192\n#\n2,a,2,192\n",
       "line 3: value '2' is not a valid Boolean, the type of tag 'a' (fixed on line 1)"},
      {"1,a,1,192\n2,a,abc,192\n", "line 2: value 'abc' is not a valid Integer"},
      {"1,a,1,192,Integer\n2,a,2.5,192\n", "line 2: value '2.5' is not a valid Integer"},
      {"1,a,1,192\n2,a,1,192,Double\n", "line 2: type Double disagrees with tag 'a'"},
      {"5,a,1,192\n6,b,1,192\n\n4,a,1,192\n", "line 4: timestamp '4' is earlier than the one on line 2"},
      {"1,a,\"x\n", "line 1: a quoted field is never closed"},
      {"# nothing\n", "the recording has no rows"},
      {"timestamp,tag,value,quality,type\n", "the recording has no rows"},
  };
  for (const Case& c : cases) {
    const std::string message = parse_error(c.csv);
    EXPECT_EQ(message.rfind(c.message, 0), 0u) << "got: " << message << "\nwanted: " << c.message;
  }
}

TEST(ReplayRecording, EqualTimestampsAreInOrder) {
  const Recording r = parse_ok("5,a,1,192\n5,b,2,192\n5,a,3,192\n");
  EXPECT_EQ(r.samples().size(), 3u);
}

TEST(ReplayRecording, LoopPeriodIsSpanPlusMeanInterval) {
  EXPECT_EQ(parse_ok("0,a,1,192\n10,a,1,192\n10,b,1,192\n30,a,1,192\n").loop_period_ns(), 45)
      << "span 30 over 2 intervals between 3 distinct times";
  EXPECT_EQ(parse_ok("7,a,1,192\n7,b,1,192\n").loop_period_ns(), 1'000'000'000);
}

TEST(ReplayRecording, ReadsFilesAndPrefixesErrorsWithThePath) {
  const std::string path = testing::TempDir() + "/replay_recording_test.csv";
  {
    std::ofstream file(path, std::ios::binary);
    file << "timestamp,tag,value,quality,type\r\n1,a,1,192,Integer\r\n2,a,x,192,\r\n";
  }
  Recording r;
  Status status = read_recording_file(path, &r);
  EXPECT_EQ(status.message(),
            path + ": line 3: value 'x' is not a valid Integer, the type of tag 'a' (fixed on line 2)");
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << "1,a,1,192\n";
  }
  status = read_recording_file(path, &r);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(r.samples().size(), 1u);
  status = read_recording_file(path + ".missing", &r);
  EXPECT_EQ(status.code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(status.message().rfind(path + ".missing: cannot open", 0), 0u) << status.message();
}

}  // namespace
}  // namespace mxgw::replay
