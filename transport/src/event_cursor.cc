// Position-merging walk over an EventBatch.

#include <mxgw/transport/event_cursor.h>

namespace mxgw::transport {

template <typename Vector>
bool EventCursor::take_if_at(const Vector* events, size_t list, EventRef::Kind kind, EventRef* out) {
  if (!events || table_[list] >= events->size()) return false;
  const auto* event = events->Get(table_[list]);
  if (event->position() != position_) return false;
  ++table_[list];
  *out = {kind, position_, event};
  return true;
}

bool EventCursor::next(EventRef* out) {
  using Kind = EventRef::Kind;
  const bool found = take_if_at(batch_.data_changes(), 0, Kind::DataChange, out) ||
                     take_if_at(batch_.buffered_changes(), 1, Kind::BufferedChange, out) ||
                     take_if_at(batch_.write_completes(), 2, Kind::WriteComplete, out) ||
                     take_if_at(batch_.operation_completes(), 3, Kind::OperationComplete, out) ||
                     take_if_at(batch_.session_states(), 4, Kind::SessionState, out);
  if (!found) {
    const auto* numeric = batch_.changes();
    if (!numeric || numeric_ >= numeric->size()) return false;
    *out = {Kind::NumericChange, position_, numeric->Get(numeric_++)};
  }
  ++position_;
  return true;
}

}  // namespace mxgw::transport
