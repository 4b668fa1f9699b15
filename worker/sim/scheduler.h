// The scheduler: the set of advised items of one simulated session and the updates
// they owe. poll(now) emits every update due at or before `now`, each stamped with
// its scheduled time exactly, and says when the next one falls due.
//
// Timing. A periodic item updates at k × period since the epoch. When it is added
// at time `now`, its first update is the current value: slot floor(now / period),
// which is due at once and carries the time at which that value took effect. A
// setpoint item has no period: it emits its current value when added (stamped with
// the time of the last write, or `now` if it was never written) and an echo of
// every write, stamped with the write's time.
//
// Order and budget. Per item, updates come out in timestamp order, none skipped
// and none repeated. Within a poll(), setpoint values come first, then periodic
// updates slot by slot in time order. A poll() emits at most `out.size()` updates;
// whatever it had no room for comes out of the next poll(), exactly as if the first
// had been large enough, so a caller may poll with any budget and any `now`.
//
// Thread safety: not thread-safe. One thread owns a Scheduler.

#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/common/outcome.h"
#include "worker/sim/bucket.h"
#include "worker/sim/emit.h"
#include "worker/sim/options.h"
#include "worker/sim/setpoints.h"

namespace mxgw::sim {

struct ItemHandles {
  std::int32_t server_handle;
  std::int32_t item_handle;
};

struct PollResult {
  std::size_t numeric = 0;       // DataChanges written to out[0, numeric)
  std::size_t strings = 0;       // changes given to the StringSink
  std::int64_t next_due_ns = 0;  // as next_due_ns() after the poll()
};

class Scheduler {
 public:
  explicit Scheduler(const SimOptions& options);

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts updates of `tag` for the item `handles` (an Advise).
  // Returns false, and changes nothing, when `handles` is already active.
  // REQUIRES: now_ns >= 0; `tag` came from a Galaxy.
  bool add(ItemHandles handles, TagId tag, std::int64_t now_ns);

  // Stops the item's updates, including any not yet emitted (an UnAdvise).
  // Returns false when `handles` is not active.
  bool remove(ItemHandles handles);

  // Writes a setpoint tag; every active item of the tag then emits the new value,
  // stamped `time_ns`. Errors as SetpointStore::write.
  worker::Outcome write(TagId tag, const WriteValue& value, std::int64_t time_ns);

  // Emits the updates due at or before `now_ns`, at most out.size() of them in all:
  // numeric ones into `out`, strings through `strings`.
  PollResult poll(std::int64_t now_ns, std::span<proto::DataChange> out, StringSink& strings);

  // For a consumer that fell behind: drops every update due at or before `now_ns`
  // except each item's newest, and returns how many were dropped. Updates after
  // the gap continue exactly as they would have (a random walk restarts from its
  // newest update, see skip_to).
  std::uint64_t coalesce(std::int64_t now_ns);

  // The time of the earliest update not yet emitted, or kNever. Setpoint values
  // count as due at their own time, and leave with the next poll() whatever its `now`.
  std::int64_t next_due_ns() const;

  std::size_t size() const { return locations_.size(); }

 private:
  struct Location {
    int bucket;  // index into buckets_, or kSetpointItem
    GeneratorKind kind;
    std::uint32_t index;  // within the bucket's array of `kind`, or within setpoint_items_
  };
  struct SetpointItem {
    ItemHandles handles;
    TagId tag;
  };
  struct PendingValue {
    ItemHandles handles;
    proto::MxDataType data_type;
    std::int64_t time_ns;
    SetpointValue value;
  };
  static constexpr int kSetpointItem = -1;

  static std::uint64_t key_of(ItemHandles h) {
    return (std::uint64_t{static_cast<std::uint32_t>(h.server_handle)} << 32) |
           static_cast<std::uint32_t>(h.item_handle);
  }
  int bucket_for(std::int64_t period_ns);
  void emit_pending(EmitTarget& out);

  SimOptions options_;
  SetpointStore setpoints_;
  std::vector<Bucket> buckets_;
  std::vector<SetpointItem> setpoint_items_;
  std::deque<PendingValue> pending_;
  std::unordered_map<std::uint64_t, Location> locations_;
};

}  // namespace mxgw::sim
