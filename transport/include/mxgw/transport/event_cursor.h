// EventCursor: walks a verified EventBatch's sequenced events in the order the worker
// produced them, merging the numeric fast-path vector with the table events by their
// positions (events.fbs, "Ordering"). Reads in place; no allocation.
//
// Thread safety: a cursor belongs to one thread; the batch is read-only.

#pragma once

#include <array>
#include <cstdint>

#include <mxgw/schema/events_generated.h>

namespace mxgw::transport {

struct EventRef {
  enum class Kind : uint8_t {
    NumericChange,      // proto::DataChange (struct)
    DataChange,         // proto::DataChangeEvent
    BufferedChange,     // proto::BufferedDataChangeEvent
    WriteComplete,      // proto::WriteCompleteEvent
    OperationComplete,  // proto::OperationCompleteEvent
    SessionState,       // proto::SessionStateEvent
  };
  Kind kind = Kind::NumericChange;
  uint32_t position = 0;
  const void* event = nullptr;

  const proto::DataChange* numeric() const { return static_cast<const proto::DataChange*>(event); }
  const proto::DataChangeEvent* data_change() const { return static_cast<const proto::DataChangeEvent*>(event); }
  const proto::BufferedDataChangeEvent* buffered() const {
    return static_cast<const proto::BufferedDataChangeEvent*>(event);
  }
  const proto::WriteCompleteEvent* write_complete() const {
    return static_cast<const proto::WriteCompleteEvent*>(event);
  }
  const proto::OperationCompleteEvent* operation_complete() const {
    return static_cast<const proto::OperationCompleteEvent*>(event);
  }
  const proto::SessionStateEvent* session_state() const { return static_cast<const proto::SessionStateEvent*>(event); }
};

class EventCursor {
 public:
  // REQUIRES: `batch` passed verification (positions unique and in range).
  explicit EventCursor(const proto::EventBatch& batch) : batch_(batch) {}

  // The next event in production order; false after the last.
  bool next(EventRef* out);

 private:
  template <typename Vector>
  bool take_if_at(const Vector* events, size_t list, EventRef::Kind kind, EventRef* out);

  const proto::EventBatch& batch_;
  uint32_t position_ = 0;
  uint32_t numeric_ = 0;
  std::array<uint32_t, 5> table_{};  // next index in each table-event vector
};

}  // namespace mxgw::transport
