// The `sim` backend's options, parsed from the key/value pairs of the session open.
//
//   seed             uint64, decimal or 0x hex. Default 0. Every value the galaxy
//                    produces is a function of the seed, so equal seeds give equal
//                    data and a backend wanting variety passes its own seed.
//   rate_ms          the update period of every periodic item, overriding the
//                    attributes' defaults: a decimal number of milliseconds with up
//                    to six decimals, from 1 to 3600000 (one hour). Periods under a
//                    millisecond are refused: no consumer needs them and they would
//                    let one item flood a session.
//   quality_changes  bool (true/false, yes/no, on/off, 1/0). Default false: every
//                    quality is Good (0xC0). When true, each periodic item spends
//                    about one run of 64 updates in 16 at Uncertain (0x40), Bad comm
//                    failure (0x18) or Good with late data (0x1C0).
//   tags             which instances exist: either a count applied to every object
//                    type ("tags=5000": Tank_000..Tank_4999, Pump_000..…), or a
//                    comma-separated list of object types each with an optional
//                    count ("tags=Tank:200,Pump": 200 tanks, 1000 pumps, no valves
//                    or lines). Counts run from 1 to 1000000. Default: every type,
//                    1000 instances.
//
// An unknown key, a repeated key or a bad value is an error naming the key.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <span>

#include <mxgw/status.h>
#include "worker/common/parse.h"
#include "worker/sim/galaxy.h"

namespace mxgw::sim {

inline constexpr std::int64_t kMinPeriodNs = 1'000'000;
inline constexpr std::int64_t kMaxPeriodNs = 3'600'000'000'000;

struct SimOptions {
  std::uint64_t seed = 0;
  std::int64_t period_override_ns = 0;  // 0: each attribute's default period
  bool quality_changes = false;
  TagSet tags;
};

// On error `*out` is left unchanged.
Status parse_sim_options(std::span<const worker::OptionPair> pairs, SimOptions* out);

}  // namespace mxgw::sim
