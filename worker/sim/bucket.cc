// Slot emission: one loop per generator kind, instantiated for each kind and for
// quality changes on or off, so that the loop body is only the generator's own
// arithmetic and the store of one DataChange.

#include "worker/sim/bucket.h"

#include <algorithm>

namespace mxgw::sim {
namespace {

// Emits the items of one kind's array that are due at slot k, from *index on.
// Returns true when the end of the array was reached, false when the budget ran out.
template <GeneratorKind kKind, bool kQuality>
bool emit_numeric(std::vector<ItemState>& items, std::size_t* index, std::int64_t k, std::int64_t time_ns,
                  std::int64_t* min_next, EmitTarget& out) {
  const double* sine = sine_table();
  proto::DataChange* dst = out.numeric + out.numeric_count;
  const std::size_t room = out.budget - out.emitted;
  const std::size_t n = items.size();
  std::size_t written = 0;
  std::size_t i = *index;
  std::int64_t lowest = *min_next;
  for (; i < n; ++i) {
    ItemState& s = items[i];
    if (s.next_k != k) {
      lowest = std::min(lowest, s.next_k);
      continue;
    }
    if (written == room) break;
    if constexpr (kQuality) {
      if ((k & 63) == 0) s.quality = quality_at(s.seed, k);
    }
    const double value = next_value<kKind>(s, sine);
    dst[written++] = proto::DataChange(s.server_handle, s.item_handle, s.quality, s.data_type, 0, time_ns, value);
  }
  if (written != 0) lowest = std::min(lowest, k + 1);
  *min_next = lowest;
  *index = i;
  out.numeric_count += written;
  out.emitted += written;
  return i == n;
}

template <bool kQuality>
bool emit_text(std::vector<ItemState>& items, std::size_t* index, std::int64_t k, std::int64_t time_ns,
               std::int64_t* min_next, EmitTarget& out) {
  char buffer[32];
  const std::size_t n = items.size();
  std::size_t i = *index;
  for (; i < n; ++i) {
    ItemState& s = items[i];
    if (s.next_k != k) {
      *min_next = std::min(*min_next, s.next_k);
      continue;
    }
    if (out.full()) break;
    if constexpr (kQuality) {
      if ((k & 63) == 0) s.quality = quality_at(s.seed, k);
    }
    const StringChange change{s.server_handle, s.item_handle,         s.quality,
                              time_ns,         text_at(s, k, buffer), static_cast<std::uint32_t>(out.emitted)};
    out.strings->on_string_change(change);
    ++s.next_k;
    *min_next = std::min(*min_next, k + 1);
    ++out.emitted;
    ++out.string_count;
  }
  *index = i;
  return i == n;
}

}  // namespace

std::uint32_t Bucket::add(const ItemState& state) {
  std::vector<ItemState>& items = items_[static_cast<std::size_t>(state.kind)];
  items.push_back(state);
  if (size_++ == 0 || state.next_k < slot_k_) slot_k_ = state.next_k;
  restart_slot();
  return static_cast<std::uint32_t>(items.size() - 1);
}

const ItemState* Bucket::remove_at(GeneratorKind kind, std::uint32_t index) {
  std::vector<ItemState>& items = items_[static_cast<std::size_t>(kind)];
  const bool moved = index + 1 < items.size();
  if (moved) items[index] = items.back();
  items.pop_back();
  --size_;
  restart_slot();
  return moved ? &items[index] : nullptr;
}

std::uint64_t Bucket::coalesce(std::int64_t now_ns, bool quality_changes) {
  const std::int64_t newest = now_ns / period_ns_;
  std::uint64_t dropped = 0;
  std::int64_t lowest = kNever;
  for (std::vector<ItemState>& items : items_) {
    for (ItemState& s : items) {
      if (s.next_k < newest) {
        dropped += static_cast<std::uint64_t>(newest - s.next_k);
        skip_to(s, newest, quality_changes);
      }
      lowest = std::min(lowest, s.next_k);
    }
  }
  if (size_ != 0) slot_k_ = lowest;
  restart_slot();
  return dropped;
}

void Bucket::restart_slot() {
  cursor_kind_ = 0;
  cursor_index_ = 0;
  min_next_ = kNever;
}

bool Bucket::emit_slot(EmitTarget& out, bool quality_changes) {
  return quality_changes ? emit_slot_with<true>(out) : emit_slot_with<false>(out);
}

template <bool kQuality>
bool Bucket::emit_slot_with(EmitTarget& out) {
  const std::int64_t k = slot_k_;
  const std::int64_t time_ns = k * period_ns_;
  for (; cursor_kind_ < kPeriodicKinds; ++cursor_kind_, cursor_index_ = 0) {
    std::vector<ItemState>& items = items_[static_cast<std::size_t>(cursor_kind_)];
    std::size_t* index = &cursor_index_;
    bool done = true;
    switch (static_cast<GeneratorKind>(cursor_kind_)) {
      case GeneratorKind::kCounter:
        done = emit_numeric<GeneratorKind::kCounter, kQuality>(items, index, k, time_ns, &min_next_, out);
        break;
      case GeneratorKind::kRamp:
        done = emit_numeric<GeneratorKind::kRamp, kQuality>(items, index, k, time_ns, &min_next_, out);
        break;
      case GeneratorKind::kSine:
        done = emit_numeric<GeneratorKind::kSine, kQuality>(items, index, k, time_ns, &min_next_, out);
        break;
      case GeneratorKind::kRandomWalk:
        done = emit_numeric<GeneratorKind::kRandomWalk, kQuality>(items, index, k, time_ns, &min_next_, out);
        break;
      case GeneratorKind::kToggle:
        done = emit_numeric<GeneratorKind::kToggle, kQuality>(items, index, k, time_ns, &min_next_, out);
        break;
      case GeneratorKind::kText:
        done = emit_text<kQuality>(items, index, k, time_ns, &min_next_, out);
        break;
      case GeneratorKind::kSetpoint:
        break;
    }
    if (!done) return false;
  }
  slot_k_ = min_next_;
  restart_slot();
  return true;
}

}  // namespace mxgw::sim
