// The galaxy's only source of randomness: the splitmix64 finaliser, a pure 64-bit
// mixing function. Everything random in the simulation is mix64 of the seed, the
// tag and an update number, which is what makes a run reproducible from its seed.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>

namespace mxgw::sim {

inline constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

constexpr std::uint64_t mix64(std::uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The `n`th draw of the stream named `stream`; consecutive n give independent draws.
constexpr std::uint64_t draw(std::uint64_t stream, std::uint64_t n) { return mix64(stream + n * kGolden); }

// A double in [0, 1) from the top 53 bits of `h`.
constexpr double unit_interval(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

}  // namespace mxgw::sim
