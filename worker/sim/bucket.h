// A bucket holds the periodic items that share one update period, and therefore
// one grid of update times (k × period since the epoch). It emits a whole slot k at
// a time — every item due at k, then k+1 — so updates leave in time order.
//
// Items are kept in one array per generator kind and each array is walked by a loop
// specialised for that kind, so the per-update code has no dispatch at all.
//
// Budgets. A slot may be emitted across several calls: a cursor remembers where the
// last one stopped. Each item's own next_k says whether it is due at the slot
// (next_k == slot_k_) or later (greater), so a visit never emits twice, and the next
// slot is the least next_k seen over a whole pass, so a pass never skips one.
// Invariants: every item's next_k >= slot_k_; min_next_ is the least next_k of the
// items before the cursor. Adding or removing an item restarts the pass from the
// first item: already emitted ones are skipped, and nothing can be missed, at the
// price of one more scan of the bucket.
//
// Thread safety: not thread-safe; owned by one Scheduler.

#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "worker/sim/emit.h"
#include "worker/sim/generator.h"

namespace mxgw::sim {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

class Bucket {
 public:
  explicit Bucket(std::int64_t period_ns) : period_ns_(period_ns) {}

  std::int64_t period_ns() const { return period_ns_; }
  std::size_t size() const { return size_; }

  // The time of the slot being emitted, or kNever when the bucket is empty.
  std::int64_t due_ns() const { return size_ == 0 ? kNever : slot_k_ * period_ns_; }

  // Adds an item whose first update is state.next_k, which may be earlier than the
  // slot being emitted. Returns its index within the array of its kind.
  // REQUIRES: state.kind is periodic.
  std::uint32_t add(const ItemState& state);

  // Removes the item at `index` of `kind`'s array by moving that array's last item
  // into its place. Returns the moved item, now at `index`, or nullptr.
  const ItemState* remove_at(GeneratorKind kind, std::uint32_t index);

  // Drops every update due at or before `now_ns` except each item's newest, which
  // becomes the item's next update. Returns how many were dropped.
  std::uint64_t coalesce(std::int64_t now_ns, bool quality_changes);

  // Emits what remains of the current slot into `out`, as far as its budget allows.
  // Returns true when the slot is complete and the next one begins.
  bool emit_slot(EmitTarget& out, bool quality_changes);

 private:
  template <bool kQuality>
  bool emit_slot_with(EmitTarget& out);
  void restart_slot();

  std::int64_t period_ns_;
  std::size_t size_ = 0;
  std::int64_t slot_k_ = 0;
  std::int64_t min_next_ = kNever;
  int cursor_kind_ = 0;
  std::size_t cursor_index_ = 0;
  std::array<std::vector<ItemState>, kPeriodicKinds> items_;
};

}  // namespace mxgw::sim
