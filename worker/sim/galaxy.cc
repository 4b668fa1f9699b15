// The galaxy's tables and name resolution. Resolution checks the shape of the name
// before looking anything up, so that a typo in the punctuation is reported as a
// malformed name rather than as an unknown type.

#include "worker/sim/galaxy.h"

#include <cstdio>

namespace mxgw::sim {
namespace {

using proto::CommandError;
using proto::MxDataType;
using worker::Outcome;

constexpr std::int64_t kMs = 1'000'000;

constexpr std::string_view kProducts[] = {"Water", "Ethanol", "Glycol", "Brine", "Syrup", "Solvent", "Oil", "Milk"};
constexpr std::string_view kBatch[] = {"BATCH"};
constexpr std::string_view kRecipe[] = {"Standard"};

// name, type, generator, writable, period, low, high, shape, words
constexpr AttributeDef kTank[] = {
    {"Level", MxDataType::Double, GeneratorKind::kSine, false, 1000 * kMs, 0, 100, 60, {}},
    {"Level.Setpoint", MxDataType::Double, GeneratorKind::kSetpoint, true, 0, 50, 0, 0, {}},
    {"Temperature", MxDataType::Float, GeneratorKind::kRandomWalk, false, 2000 * kMs, 15, 85, 0.005, {}},
    {"HighAlarm", MxDataType::Boolean, GeneratorKind::kToggle, false, 5000 * kMs, 0, 1, 0, {}},
    {"Product", MxDataType::String, GeneratorKind::kText, false, 10000 * kMs, 0, 0, 0, kProducts},
};
constexpr AttributeDef kPump[] = {
    {"Speed", MxDataType::Double, GeneratorKind::kRandomWalk, false, 500 * kMs, 0, 3000, 0.01, {}},
    {"Speed.Setpoint", MxDataType::Double, GeneratorKind::kSetpoint, true, 0, 1500, 0, 0, {}},
    {"Running", MxDataType::Boolean, GeneratorKind::kToggle, false, 1000 * kMs, 0, 1, 0, {}},
    {"Starts", MxDataType::Integer, GeneratorKind::kCounter, false, 60000 * kMs, 0, 0, 0, {}},
};
constexpr AttributeDef kValve[] = {
    {"Open", MxDataType::Boolean, GeneratorKind::kToggle, false, 1000 * kMs, 0, 1, 0, {}},
    {"Position", MxDataType::Float, GeneratorKind::kRamp, false, 500 * kMs, 0, 100, 30, {}},
    {"Command", MxDataType::Boolean, GeneratorKind::kSetpoint, true, 0, 0, 0, 0, {}},
};
constexpr AttributeDef kLine[] = {
    {"Counter", MxDataType::Integer, GeneratorKind::kCounter, false, 100 * kMs, 0, 0, 0, {}},
    {"Rate", MxDataType::Double, GeneratorKind::kSine, false, 1000 * kMs, 0, 120, 300, {}},
    {"Batch", MxDataType::String, GeneratorKind::kText, false, 60000 * kMs, 0, 0, 0, kBatch},
    {"Target", MxDataType::Integer, GeneratorKind::kSetpoint, true, 0, 1000, 0, 0, {}},
    {"Recipe", MxDataType::String, GeneratorKind::kSetpoint, true, 0, 0, 0, 0, kRecipe},
};

constexpr ObjectTypeDef kTypes[kObjectTypes] = {{"Tank", kTank}, {"Pump", kPump}, {"Valve", kValve}, {"Line", kLine}};

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string object_name(std::size_t type, std::uint32_t instance) {
  char number[16];
  std::snprintf(number, sizeof number, "%03u", static_cast<unsigned>(instance));
  return std::string(kTypes[type].name) + '_' + number;
}

Outcome malformed(std::string_view name, std::string_view why) {
  return Outcome::failure(CommandError::InvalidArgument,
                          "malformed tag name '" + std::string(name) + "': " + std::string(why) +
                              " (expected <ObjectType>_<NNN>.<Attribute>, e.g. Tank_042.Level)");
}

}  // namespace

std::span<const ObjectTypeDef, kObjectTypes> object_types() { return kTypes; }

int find_object_type(std::string_view name) {
  for (int t = 0; t < kObjectTypes; ++t) {
    if (equals_ignore_case(kTypes[t].name, name)) return t;
  }
  return -1;
}

const AttributeDef& attribute(TagId tag) { return kTypes[tag.object_type].attributes[tag.attribute]; }

std::string tag_name(TagId tag) {
  return object_name(tag.object_type, tag.instance) + '.' + std::string(attribute(tag).name);
}

Outcome Galaxy::resolve(std::string_view name, TagId* out) const {
  std::size_t i = 0;
  while (i < name.size() && is_letter(name[i])) ++i;
  const std::string_view type_name = name.substr(0, i);
  if (type_name.empty()) return malformed(name, "no object type");
  if (i == name.size() || name[i] != '_') return malformed(name, "no '_' after the object type");
  const std::size_t digits_start = ++i;
  while (i < name.size() && is_digit(name[i])) ++i;
  const std::string_view digits = name.substr(digits_start, i - digits_start);
  if (digits.size() < 3) return malformed(name, "the instance number needs at least three digits");
  if (digits.size() > 3 && digits[0] == '0') {
    return malformed(name, "the instance number has extra leading zeros");
  }
  if (digits.size() > 6) return malformed(name, "the instance number has more than six digits");
  if (i == name.size() || name[i] != '.') return malformed(name, "no '.' after the instance number");
  const std::string_view attribute_name = name.substr(i + 1);
  if (attribute_name.empty()) return malformed(name, "no attribute");

  std::uint32_t instance = 0;
  for (char c : digits) instance = instance * 10 + static_cast<std::uint32_t>(c - '0');

  const int found = find_object_type(type_name);
  if (found < 0) {
    return Outcome::failure(CommandError::UnknownTag, "unknown object type '" + std::string(type_name) + "' in '" +
                                                          std::string(name) +
                                                          "': the galaxy has Tank, Pump, Valve, Line");
  }
  const auto t = static_cast<std::size_t>(found);
  const std::uint32_t count = tags_.instances[t];
  if (count == 0) {
    return Outcome::failure(CommandError::UnknownTag, "unknown object type '" + std::string(type_name) + "' in '" +
                                                          std::string(name) + "': not in this session's tag set");
  }
  if (instance >= count) {
    return Outcome::failure(CommandError::UnknownTag, "unknown instance in '" + std::string(name) +
                                                          "': this tag set ends at " + object_name(t, count - 1) +
                                                          " (the tags option can raise it)");
  }
  const auto attributes = kTypes[t].attributes;
  for (std::size_t a = 0; a < attributes.size(); ++a) {
    if (equals_ignore_case(attributes[a].name, attribute_name)) {
      *out = TagId{static_cast<std::uint8_t>(t), static_cast<std::uint8_t>(a), instance};
      return {};
    }
  }
  std::string known;
  for (const AttributeDef& attribute : attributes) {
    known += known.empty() ? "" : ", ";
    known += attribute.name;
  }
  return Outcome::failure(CommandError::UnknownTag, "unknown attribute '" + std::string(attribute_name) + "' in '" +
                                                        std::string(name) + "': " + std::string(kTypes[t].name) +
                                                        " has " + known);
}

}  // namespace mxgw::sim
