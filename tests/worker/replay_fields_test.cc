// Field formats of a recording row: exact timestamps in both notations, quality
// words, type names, and value inference.

#include "worker/replay/fields.h"

#include <gtest/gtest.h>

namespace mxgw::replay {
namespace {

using proto::MxDataType;

std::int64_t time(std::string_view text) {
  std::int64_t t = -1;
  EXPECT_TRUE(parse_timestamp(text, &t)) << text;
  return t;
}

TEST(ReplayFields, TimestampsInBothNotationsAreExact) {
  EXPECT_EQ(time("1795885265123456789"), 1'795'885'265'123'456'789);
  EXPECT_EQ(time("2026-11-28T17:01:05.123456789Z"), 1'795'885'265'123'456'789);
  EXPECT_EQ(time("2026-11-28T17:01:05.1Z"), 1'795'885'265'100'000'000);
  EXPECT_EQ(time("2026-11-28T17:01:05Z"), 1'795'885'265'000'000'000);
  EXPECT_EQ(time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(time("2024-02-29T00:00:00Z"), 1'709'164'800'000'000'000);
  EXPECT_EQ(time("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
  EXPECT_EQ(time("0"), 0);
}

TEST(ReplayFields, BadTimestampsAreRefused) {
  for (const char* bad : {"",
                          "-5",
                          "+5",
                          "1.5",
                          "9223372036854775808",
                          "2026-11-28T17:01:05",
                          "2026-11-28 17:01:05Z",
                          "2026-11-28t17:01:05Z",
                          "2026-11-28T17:01:05.Z",
                          "2026-11-28T17:01:05.1234567890Z",
                          "2023-02-29T00:00:00Z",
                          "2026-13-01T00:00:00Z",
                          "2026-04-31T00:00:00Z",
                          "2026-11-28T24:00:00Z",
                          "2026-11-28T23:60:00Z",
                          "2026-11-28T23:59:60Z",
                          "1969-12-31T23:59:59Z",
                          "2262-04-11T23:47:16.854775808Z",
                          "2026-11-28T17:01:05+01:00",
                          "26-11-28T17:01:05Z",
                          "2026-11-28T17:01:05ZZ"}) {
    std::int64_t t;
    EXPECT_FALSE(parse_timestamp(bad, &t)) << bad;
  }
}

TEST(ReplayFields, QualityWords) {
  std::uint32_t q = 0;
  ASSERT_TRUE(parse_quality("192", &q));
  EXPECT_EQ(q, 0xC0u);
  ASSERT_TRUE(parse_quality("0x1C0", &q));
  EXPECT_EQ(q, 0x1C0u);
  ASSERT_TRUE(parse_quality("0XFFFFFFFF", &q));
  EXPECT_EQ(q, 0xFFFFFFFFu);
  for (const char* bad : {"", "-1", "4294967296", "0x100000000", "0xG", "Good", " 192"}) {
    EXPECT_FALSE(parse_quality(bad, &q)) << bad;
  }
}

TEST(ReplayFields, TypeNames) {
  MxDataType type = MxDataType::NoData;
  ASSERT_TRUE(parse_type_name("double", &type));
  EXPECT_EQ(type, MxDataType::Double);
  ASSERT_TRUE(parse_type_name("BOOLEAN", &type));
  EXPECT_EQ(type, MxDataType::Boolean);
  for (const char* bad : {"", "Time", "int", "NoData", "Strings"}) {
    EXPECT_FALSE(parse_type_name(bad, &type)) << bad;
  }
}

TEST(ReplayFields, InferenceFromTheValue) {
  EXPECT_EQ(infer_type("true", false), MxDataType::Boolean);
  EXPECT_EQ(infer_type("FALSE", false), MxDataType::Boolean);
  EXPECT_EQ(infer_type("42", false), MxDataType::Integer);
  EXPECT_EQ(infer_type("-2147483648", false), MxDataType::Integer);
  EXPECT_EQ(infer_type("2147483648", false), MxDataType::Double);
  EXPECT_EQ(infer_type("1.5", false), MxDataType::Double);
  EXPECT_EQ(infer_type("-.5e3", false), MxDataType::Double);
  EXPECT_EQ(infer_type("1", true), MxDataType::String) << "quoted";
  EXPECT_EQ(infer_type("Running", false), MxDataType::String);
  EXPECT_EQ(infer_type("nan", false), MxDataType::String);
  EXPECT_EQ(infer_type("inf", false), MxDataType::String);
  EXPECT_EQ(infer_type("1e", false), MxDataType::String);
  EXPECT_EQ(infer_type("0x10", false), MxDataType::String);
}

TEST(ReplayFields, NumbersByType) {
  double v = 0;
  EXPECT_TRUE(parse_number(MxDataType::Boolean, "1", &v));
  EXPECT_EQ(v, 1.0);
  EXPECT_TRUE(parse_number(MxDataType::Boolean, "False", &v));
  EXPECT_EQ(v, 0.0);
  EXPECT_FALSE(parse_number(MxDataType::Boolean, "2", &v));
  EXPECT_TRUE(parse_number(MxDataType::Integer, "+17", &v));
  EXPECT_EQ(v, 17.0);
  EXPECT_FALSE(parse_number(MxDataType::Integer, "1.5", &v));
  EXPECT_FALSE(parse_number(MxDataType::Integer, "2147483648", &v));
  EXPECT_TRUE(parse_number(MxDataType::Float, "0.1", &v));
  EXPECT_EQ(v, static_cast<double>(0.1f));
  EXPECT_FALSE(parse_number(MxDataType::Float, "1e39", &v));
  EXPECT_TRUE(parse_number(MxDataType::Double, "1e300", &v));
  EXPECT_FALSE(parse_number(MxDataType::Double, "1e400", &v));
  EXPECT_FALSE(parse_number(MxDataType::Double, "", &v));
  EXPECT_FALSE(parse_number(MxDataType::Double, "1 ", &v));
  EXPECT_FALSE(parse_number(MxDataType::String, "1", &v));
}

}  // namespace
}  // namespace mxgw::replay
