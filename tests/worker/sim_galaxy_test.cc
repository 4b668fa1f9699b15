// Tag name resolution: every spelling the galaxy documents resolves to one TagId,
// and everything else is refused with the reason.

#include "worker/sim/galaxy.h"

#include <gtest/gtest.h>

namespace mxgw::sim {
namespace {

using proto::CommandError;
using worker::Outcome;

TEST(SimGalaxy, ResolvesDocumentedNames) {
  Galaxy galaxy;
  TagId tag;
  ASSERT_TRUE(galaxy.resolve("Tank_042.Level", &tag).ok());
  EXPECT_EQ(object_types()[tag.object_type].name, "Tank");
  EXPECT_EQ(tag.instance, 42u);
  EXPECT_EQ(attribute(tag).name, "Level");
  EXPECT_EQ(attribute(tag).data_type, proto::MxDataType::Double);

  ASSERT_TRUE(galaxy.resolve("Tank_042.Level.Setpoint", &tag).ok());
  EXPECT_EQ(attribute(tag).name, "Level.Setpoint");
  EXPECT_TRUE(attribute(tag).writable);

  ASSERT_TRUE(galaxy.resolve("Line_001.Counter", &tag).ok());
  EXPECT_EQ(attribute(tag).generator, GeneratorKind::kCounter);
  EXPECT_EQ(attribute(tag).data_type, proto::MxDataType::Integer);
}

TEST(SimGalaxy, NamesMatchInAnyCaseAndPrintCanonically) {
  Galaxy galaxy;
  TagId lower, canonical;
  ASSERT_TRUE(galaxy.resolve("pump_007.speed.SETPOINT", &lower).ok());
  ASSERT_TRUE(galaxy.resolve("Pump_007.Speed.Setpoint", &canonical).ok());
  EXPECT_EQ(lower, canonical);
  EXPECT_EQ(tag_name(lower), "Pump_007.Speed.Setpoint");
}

TEST(SimGalaxy, EveryTagRoundTripsThroughItsName) {
  Galaxy galaxy(TagSet{{5000, 5000, 5000, 5000}});
  for (std::size_t t = 0; t < kObjectTypes; ++t) {
    for (std::size_t a = 0; a < object_types()[t].attributes.size(); ++a) {
      for (std::uint32_t instance : {0u, 7u, 999u, 1000u, 4999u}) {
        const TagId id{static_cast<std::uint8_t>(t), static_cast<std::uint8_t>(a), instance};
        TagId back;
        ASSERT_TRUE(galaxy.resolve(tag_name(id), &back).ok()) << tag_name(id);
        EXPECT_EQ(back, id) << tag_name(id);
        EXPECT_EQ(TagId::from_key(id.key()), id);
      }
    }
  }
}

TEST(SimGalaxy, MalformedNamesAreRefused) {
  Galaxy galaxy;
  for (const char* name :
       {"", "Tank", "Tank_042", "Tank_042.", "Tank042.Level", "_042.Level", "Tank_42.Level", "Tank_0042.Level",
        "Tank_1234567.Level", "Tank_04a.Level", "Tank 042.Level", "Tank_042:Level"}) {
    TagId tag;
    const Outcome outcome = galaxy.resolve(name, &tag);
    EXPECT_EQ(outcome.error, CommandError::InvalidArgument) << name;
    EXPECT_NE(outcome.message.find("malformed tag name"), std::string::npos) << outcome.message;
  }
}

TEST(SimGalaxy, UnknownObjectTypeIsNamed) {
  TagId tag;
  const Outcome outcome = Galaxy().resolve("Boiler_001.Level", &tag);
  EXPECT_EQ(outcome.error, CommandError::UnknownTag);
  EXPECT_NE(outcome.message.find("unknown object type 'Boiler'"), std::string::npos) << outcome.message;
}

TEST(SimGalaxy, UnknownAttributeListsTheKnownOnes) {
  TagId tag;
  const Outcome outcome = Galaxy().resolve("Tank_042.Speed", &tag);
  EXPECT_EQ(outcome.error, CommandError::UnknownTag);
  EXPECT_NE(outcome.message.find("unknown attribute 'Speed'"), std::string::npos) << outcome.message;
  EXPECT_NE(outcome.message.find("Level.Setpoint"), std::string::npos) << outcome.message;
}

TEST(SimGalaxy, InstancesOutsideTheTagSetAreUnknown) {
  TagId tag;
  Outcome outcome = Galaxy().resolve("Tank_1000.Level", &tag);
  EXPECT_EQ(outcome.error, CommandError::UnknownTag);
  EXPECT_NE(outcome.message.find("Tank_999"), std::string::npos) << outcome.message;

  Galaxy small(TagSet{{10, 0, 1, 1}});
  EXPECT_TRUE(small.resolve("Tank_009.Level", &tag).ok());
  EXPECT_EQ(small.resolve("Tank_010.Level", &tag).error, CommandError::UnknownTag);
  outcome = small.resolve("Pump_000.Speed", &tag);
  EXPECT_EQ(outcome.error, CommandError::UnknownTag);
  EXPECT_NE(outcome.message.find("not in this session's tag set"), std::string::npos) << outcome.message;
}

TEST(SimGalaxy, DefinitionsAreConsistent) {
  for (const ObjectTypeDef& type : object_types()) {
    for (const AttributeDef& a : type.attributes) {
      const bool setpoint = a.generator == GeneratorKind::kSetpoint;
      EXPECT_EQ(a.writable, setpoint) << a.name;
      EXPECT_EQ(a.default_period_ns == 0, setpoint) << a.name;
      EXPECT_EQ(a.data_type == proto::MxDataType::String, a.generator == GeneratorKind::kText || !a.words.empty())
          << a.name;
      if (a.generator == GeneratorKind::kText) {
        EXPECT_FALSE(a.words.empty()) << a.name;
      }
    }
  }
}

}  // namespace
}  // namespace mxgw::sim
