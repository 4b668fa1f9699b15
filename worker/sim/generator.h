// Value generators: the hot state of one periodic item and the inline code that
// produces its next update.
//
// Update number k of a tag sits at time k × period since the Unix epoch, so every
// item of a tag with the same period shares one grid. For counter, ramp, sine,
// toggle and text the value of update k is a pure function of (seed, tag, period,
// k): make_item_state positions the state at any k directly, and stepping from there
// gives the same values bit for bit. The random walk starts at a pure function of
// (seed, tag, start k) and then steps with draws that depend only on (seed, tag, k),
// so it is reproducible from its seed and its first update.
//
// Costs: one ItemState (80 bytes) per item, no allocation and no indirect call per
// value; a counter or ramp value is a few integer operations.
//
// Thread safety: an ItemState belongs to one thread; the sine table is immutable
// once built (sine_table() builds it on first use, safely).

#pragma once

#include <cstdint>
#include <string_view>

#include <mxgw/schema/mx_types_generated.h>

#include "worker/sim/galaxy.h"
#include "worker/sim/hash.h"

namespace mxgw::sim {

inline constexpr std::uint32_t kQualityGood = 0xC0;

struct ItemState {
  // Copied into every DataChange as they are.
  std::int32_t server_handle;
  std::int32_t item_handle;
  std::uint32_t quality;
  proto::MxDataType data_type;
  GeneratorKind kind;
  bool float_precision;  // values are rounded to float, as a Float attribute holds them
  std::int64_t next_k;   // the update number this state will produce next
  std::uint64_t seed;    // the tag's own seed, from the galaxy seed and the tag
  // Counter, toggle: a count at next_k. Ramp, sine: the phase at next_k, a binary
  // fraction of a cycle. Unused by the walk and text.
  std::uint64_t phase;
  // Ramp, sine: phase advance per update. Toggle: log2 of updates per flip.
  // Text: the tag's key, through which its words are found.
  std::uint64_t step;
  double offset;     // ramp, walk: low end; sine: centre
  double scale;      // ramp, walk: range; sine: amplitude
  double step_size;  // walk: largest step
  double value;      // walk: the value at next_k
};
static_assert(sizeof(ItemState) == 80, "keep the hot state to a cache line and a bit");

// REQUIRES: attribute(tag).generator is periodic (not kSetpoint); period_ns > 0; k >= 0.
ItemState make_item_state(TagId tag, std::uint64_t seed, std::int64_t period_ns, std::int64_t k, bool quality_changes,
                          std::int32_t server_handle, std::int32_t item_handle);

// Moves the state forward to update k without producing the updates in between.
// Pure kinds land exactly where stepping would; a random walk starts afresh at k,
// as it would for an item added at k.
// REQUIRES: k >= state.next_k.
void skip_to(ItemState& state, std::int64_t k, bool quality_changes);

// Quality of update k when quality changes are on: constant over runs of 64 updates.
std::uint32_t quality_at(std::uint64_t tag_seed, std::int64_t k);

// 4096 intervals of one sine cycle, plus the closing point.
const double* sine_table();

// The text of update k of a text item, written into `buffer`.
std::string_view text_at(const ItemState& state, std::int64_t k, char (&buffer)[32]);

// The value of update state.next_k, after which the state is at the next update.
// REQUIRES: kind == state.kind, a numeric kind; `sine` is sine_table().
template <GeneratorKind kind>
inline double next_value(ItemState& state, const double* sine) {
  double v = 0;
  if constexpr (kind == GeneratorKind::kCounter) {
    v = static_cast<double>(static_cast<std::int32_t>(state.phase & 0x7FFFFFFF));
    state.phase += 1;
  } else if constexpr (kind == GeneratorKind::kToggle) {
    v = static_cast<double>((state.phase >> state.step) & 1);
    state.phase += 1;
  } else if constexpr (kind == GeneratorKind::kRamp) {
    v = state.offset + state.scale * unit_interval(state.phase);
    state.phase += state.step;
  } else if constexpr (kind == GeneratorKind::kSine) {
    const std::uint64_t index = state.phase >> 52;
    const double fraction = static_cast<double>((state.phase >> 20) & 0xFFFFFFFF) * 0x1.0p-32;
    const double s = sine[index] + (sine[index + 1] - sine[index]) * fraction;
    v = state.offset + state.scale * s;
    state.phase += state.step;
  } else {
    static_assert(kind == GeneratorKind::kRandomWalk, "numeric kinds only");
    v = state.value;
    const std::uint64_t drawn = draw(state.seed, static_cast<std::uint64_t>(state.next_k + 1));
    double next = v + state.step_size * (2 * unit_interval(drawn) - 1);
    const double high = state.offset + state.scale;
    if (next > high) next = 2 * high - next;
    if (next < state.offset) next = 2 * state.offset - next;
    state.value = next;
  }
  if (state.float_precision) v = static_cast<double>(static_cast<float>(v));
  ++state.next_k;
  return v;
}

}  // namespace mxgw::sim
