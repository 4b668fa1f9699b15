// The simulated galaxy: which tags exist, and what each one is.
//
// A tag name is `<ObjectType>_<NNN>.<Attribute>`, e.g. `Tank_042.Level` or
// `Tank_042.Level.Setpoint`. The instance number has at least three digits and no
// more leading zeros than that (`Tank_007`, `Tank_1234`; never `Tank_7` or
// `Tank_0007`), so every tag has exactly one spelling; object types and attributes
// match in any letter case, as ArchestrA names do, and tag_name() gives the
// canonical spelling. The object types and their attributes:
//
//   type   attribute       data type  generator    writable  default period
//   Tank   Level           Double     sine 0..100     no       1 s
//          Level.Setpoint  Double     setpoint 50     yes      on write
//          Temperature     Float      walk 15..85     no       2 s
//          HighAlarm       Boolean    toggle          no       5 s
//          Product         String     text            no       10 s
//   Pump   Speed           Double     walk 0..3000    no       500 ms
//          Speed.Setpoint  Double     setpoint 1500   yes      on write
//          Running         Boolean    toggle          no       1 s
//          Starts          Integer    counter         no       60 s
//   Valve  Open            Boolean    toggle          no       1 s
//          Position        Float      ramp 0..100     no       500 ms
//          Command         Boolean    setpoint false  yes      on write
//   Line   Counter         Integer    counter         no       100 ms
//          Rate            Double     sine 0..120     no       1 s
//          Batch           String     text            no       60 s
//          Target          Integer    setpoint 1000   yes      on write
//          Recipe          String     setpoint text   yes      on write
//
// Which instances exist is a TagSet (the `tags` option): by default every type
// has instances 000..999.
//
// Thread safety: the tables are immutable; a Galaxy is immutable after
// construction and may be shared between threads.

#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <mxgw/schema/mx_types_generated.h>

#include "worker/common/outcome.h"

namespace mxgw::sim {

// The numeric kinds come first: the scheduler keeps one array per periodic kind and
// walks them in this order.
enum class GeneratorKind : std::uint8_t {
  kCounter,     // +1 per update, wrapping at 2^31
  kRamp,        // sawtooth from low to high over about `shape` seconds
  kSine,        // sine within low..high, a cycle taking about `shape` seconds
  kRandomWalk,  // steps of up to `shape` × (high − low), reflected at the bounds
  kToggle,      // 0/1, flipping every 2 to 16 updates
  kText,        // "<word>-<NNNN>", a new string every 16 updates
  kSetpoint,    // holds the last written value; changes on write only
};
inline constexpr int kPeriodicKinds = 6;  // every kind before kSetpoint

struct AttributeDef {
  std::string_view name;
  proto::MxDataType data_type;
  GeneratorKind generator;
  bool writable;
  std::int64_t default_period_ns;  // 0 for setpoints
  double low;                      // a setpoint's default value
  double high;
  double shape;                             // see GeneratorKind; "about": each tag
                                            // draws its own, from 0.5× to 1.5×
  std::span<const std::string_view> words;  // text: the words; setpoint: the default
};

struct ObjectTypeDef {
  std::string_view name;
  std::span<const AttributeDef> attributes;
};

inline constexpr int kObjectTypes = 4;
inline constexpr std::uint32_t kMaxInstances = 1'000'000;
inline constexpr std::uint32_t kDefaultInstances = 1'000;

std::span<const ObjectTypeDef, kObjectTypes> object_types();

// The index of the object type called `name` in any letter case, or -1.
int find_object_type(std::string_view name);

// A resolved tag. Two names denote the same tag exactly when their TagIds are equal.
struct TagId {
  std::uint8_t object_type = 0;
  std::uint8_t attribute = 0;
  std::uint32_t instance = 0;

  std::uint64_t key() const { return (std::uint64_t{object_type} << 40) | (std::uint64_t{attribute} << 32) | instance; }
  static TagId from_key(std::uint64_t key) {
    return TagId{static_cast<std::uint8_t>(key >> 40), static_cast<std::uint8_t>(key >> 32),
                 static_cast<std::uint32_t>(key)};
  }
  friend bool operator==(const TagId&, const TagId&) = default;
};

// REQUIRES: `tag` came from Galaxy::resolve (its indices are in range).
const AttributeDef& attribute(TagId tag);
std::string tag_name(TagId tag);

// How many instances of each object type exist; 0 removes the type.
struct TagSet {
  std::array<std::uint32_t, kObjectTypes> instances{kDefaultInstances, kDefaultInstances, kDefaultInstances,
                                                    kDefaultInstances};
};

class Galaxy {
 public:
  explicit Galaxy(const TagSet& tags = TagSet()) : tags_(tags) {}

  // Errors: InvalidArgument for a name not shaped `<ObjectType>_<NNN>.<Attribute>`;
  // UnknownTag for an unknown object type, an instance outside the tag set, or an
  // unknown attribute, with a message saying which.
  worker::Outcome resolve(std::string_view name, TagId* out) const;

 private:
  TagSet tags_;
};

}  // namespace mxgw::sim
