// Item bookkeeping around the buckets: which bucket and array slot each item lives
// in, setpoint items and their pending values, and the poll() loop that always
// serves the bucket whose slot is earliest.

#include "worker/sim/scheduler.h"

#include <algorithm>
#include <utility>

namespace mxgw::sim {

Scheduler::Scheduler(const SimOptions& options) : options_(options) {}

int Scheduler::bucket_for(std::int64_t period_ns) {
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    if (buckets_[b].period_ns() == period_ns) return static_cast<int>(b);
  }
  buckets_.emplace_back(period_ns);
  return static_cast<int>(buckets_.size() - 1);
}

bool Scheduler::add(ItemHandles handles, TagId tag, std::int64_t now_ns) {
  const std::uint64_t key = key_of(handles);
  if (locations_.contains(key)) return false;
  const AttributeDef& def = attribute(tag);
  if (def.generator == GeneratorKind::kSetpoint) {
    SetpointValue value = setpoints_.current(tag);
    const std::int64_t time_ns = value.written ? value.time_ns : now_ns;
    pending_.push_back(PendingValue{handles, def.data_type, time_ns, std::move(value)});
    locations_.emplace(key, Location{kSetpointItem, def.generator, static_cast<std::uint32_t>(setpoint_items_.size())});
    setpoint_items_.push_back(SetpointItem{handles, tag});
    return true;
  }
  const std::int64_t period_ns = options_.period_override_ns != 0 ? options_.period_override_ns : def.default_period_ns;
  const int b = bucket_for(period_ns);
  const ItemState state = make_item_state(tag, options_.seed, period_ns, now_ns / period_ns, options_.quality_changes,
                                          handles.server_handle, handles.item_handle);
  const std::uint32_t index = buckets_[static_cast<std::size_t>(b)].add(state);
  locations_.emplace(key, Location{b, def.generator, index});
  return true;
}

bool Scheduler::remove(ItemHandles handles) {
  auto it = locations_.find(key_of(handles));
  if (it == locations_.end()) return false;
  const Location location = it->second;
  locations_.erase(it);
  if (location.bucket != kSetpointItem) {
    const ItemState* moved =
        buckets_[static_cast<std::size_t>(location.bucket)].remove_at(location.kind, location.index);
    if (moved != nullptr) {
      locations_[key_of({moved->server_handle, moved->item_handle})].index = location.index;
    }
    return true;
  }
  if (location.index + 1 < setpoint_items_.size()) {
    setpoint_items_[location.index] = setpoint_items_.back();
    locations_[key_of(setpoint_items_[location.index].handles)].index = location.index;
  }
  setpoint_items_.pop_back();
  std::erase_if(pending_, [&](const PendingValue& p) { return key_of(p.handles) == key_of(handles); });
  return true;
}

worker::Outcome Scheduler::write(TagId tag, const WriteValue& value, std::int64_t time_ns) {
  worker::Outcome written = setpoints_.write(tag, value, time_ns);
  if (!written.ok()) return written;
  const SetpointValue current = setpoints_.current(tag);
  for (const SetpointItem& item : setpoint_items_) {
    if (item.tag == tag) {
      pending_.push_back(PendingValue{item.handles, attribute(tag).data_type, time_ns, current});
    }
  }
  return {};
}

void Scheduler::emit_pending(EmitTarget& out) {
  while (!pending_.empty() && !out.full()) {
    const PendingValue& p = pending_.front();
    if (p.data_type == proto::MxDataType::String) {
      const StringChange change{p.handles.server_handle,
                                p.handles.item_handle,
                                kQualityGood,
                                p.time_ns,
                                p.value.text,
                                static_cast<std::uint32_t>(out.emitted)};
      out.strings->on_string_change(change);
      ++out.string_count;
    } else {
      out.numeric[out.numeric_count++] = proto::DataChange(p.handles.server_handle, p.handles.item_handle, kQualityGood,
                                                           p.data_type, 0, p.time_ns, p.value.number);
    }
    ++out.emitted;
    pending_.pop_front();
  }
}

PollResult Scheduler::poll(std::int64_t now_ns, std::span<proto::DataChange> out, StringSink& strings) {
  EmitTarget target{.numeric = out.data(), .budget = out.size(), .strings = &strings};
  emit_pending(target);
  while (!target.full()) {
    Bucket* earliest = nullptr;
    for (Bucket& bucket : buckets_) {
      if (bucket.due_ns() <= now_ns && (earliest == nullptr || bucket.due_ns() < earliest->due_ns())) {
        earliest = &bucket;
      }
    }
    if (earliest == nullptr) break;
    earliest->emit_slot(target, options_.quality_changes);
  }
  return PollResult{target.numeric_count, target.string_count, next_due_ns()};
}

std::uint64_t Scheduler::coalesce(std::int64_t now_ns) {
  std::uint64_t dropped = 0;
  for (Bucket& bucket : buckets_) dropped += bucket.coalesce(now_ns, options_.quality_changes);
  // Of each item's pending setpoint values only the last, the newest write, stays.
  std::unordered_map<std::uint64_t, std::size_t> last;
  for (std::size_t i = 0; i < pending_.size(); ++i) last[key_of(pending_[i].handles)] = i;
  std::deque<PendingValue> kept;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (last[key_of(pending_[i].handles)] == i) kept.push_back(std::move(pending_[i]));
  }
  dropped += pending_.size() - kept.size();
  pending_ = std::move(kept);
  return dropped;
}

std::int64_t Scheduler::next_due_ns() const {
  std::int64_t due = kNever;
  for (const PendingValue& p : pending_) due = std::min(due, p.time_ns);
  for (const Bucket& bucket : buckets_) due = std::min(due, bucket.due_ns());
  return due;
}

}  // namespace mxgw::sim
