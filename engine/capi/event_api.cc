// The cursor (mxgw.h, "reading every event"): a batch's gaps first, then its events
// in production order through transport::EventCursor, each decoded into an
// mxgw_event whose pointers stay inside the frame.

#include <cstring>
#include <new>

#include <mxgw/transport/event_cursor.h>

#include "engine/capi/handles.h"
#include "engine/capi/value_codec.h"

namespace proto = mxgw::proto;
using mxgw::capi::guarded;
using mxgw::transport::EventCursor;
using mxgw::transport::EventRef;

namespace {

// What an mxgw_cursor's opaque storage holds.
struct CursorState {
  const proto::EventBatch* batch;
  uint64_t first_seq;
  uint32_t next_gap;
  EventCursor events;
};
static_assert(sizeof(CursorState) <= sizeof(mxgw_cursor));
static_assert(alignof(CursorState) <= alignof(mxgw_cursor));
static_assert(std::is_trivially_destructible_v<CursorState>);

CursorState& state_of(mxgw_cursor* cursor) { return *std::launder(reinterpret_cast<CursorState*>(cursor->opaque)); }

void view_status(const flatbuffers::Vector<const proto::MxStatus*>* statuses, mxgw_event* out) {
  out->status = {1, 0, -1, 0};  // success, Ok: what an event without a status means
  if (!statuses || statuses->size() == 0) return;
  const proto::MxStatus* first = statuses->Get(0);
  out->status = {first->success(), static_cast<int8_t>(first->category()), static_cast<int8_t>(first->detected_by()),
                 first->detail()};
  out->status_count = statuses->size();
}

void view_event(const EventRef& ref, mxgw_event* out) {
  switch (ref.kind) {
    case EventRef::Kind::NumericChange: {
      const proto::DataChange* change = ref.numeric();
      out->kind = MXGW_EVENT_DATA_CHANGE;
      out->server_handle = change->server_handle();
      out->item_handle = change->item_handle();
      out->quality = change->quality();
      out->source_time_ns = change->source_time_ns();
      out->value.type = static_cast<int16_t>(change->data_type());
      switch (change->data_type()) {
        case proto::MxDataType::Boolean:
          out->value.v.boolean = change->value() != 0;
          break;
        case proto::MxDataType::Integer:
          out->value.v.integer = static_cast<int32_t>(change->value());
          break;
        case proto::MxDataType::Float:
          out->value.v.real32 = static_cast<float>(change->value());
          break;
        case proto::MxDataType::Time:
        case proto::MxDataType::ElapsedTime:
          out->value.v.ns = static_cast<int64_t>(change->value());
          break;
        default:
          out->value.v.real64 = change->value();
          break;
      }
      view_status(nullptr, out);
      return;
    }
    case EventRef::Kind::DataChange: {
      const proto::DataChangeEvent* change = ref.data_change();
      out->kind = MXGW_EVENT_DATA_CHANGE;
      out->server_handle = change->server_handle();
      out->item_handle = change->item_handle();
      out->quality = change->quality();
      out->source_time_ns = change->source_time_ns();
      mxgw::capi::view_value(change->value(), &out->value);
      view_status(change->status(), out);
      return;
    }
    case EventRef::Kind::BufferedChange: {
      const proto::BufferedDataChangeEvent* change = ref.buffered();
      out->kind = MXGW_EVENT_BUFFERED_DATA_CHANGE;
      out->server_handle = change->server_handle();
      out->item_handle = change->item_handle();
      out->sample_count = change->samples() ? change->samples()->size() : 0;
      out->internal = change;
      view_status(change->status(), out);
      return;
    }
    case EventRef::Kind::WriteComplete: {
      const proto::WriteCompleteEvent* done = ref.write_complete();
      out->kind = MXGW_EVENT_WRITE_COMPLETE;
      out->server_handle = done->server_handle();
      out->item_handle = done->item_handle();
      out->write_id = done->write_id();
      view_status(done->status(), out);
      return;
    }
    case EventRef::Kind::OperationComplete: {
      const proto::OperationCompleteEvent* done = ref.operation_complete();
      out->kind = MXGW_EVENT_OPERATION_COMPLETE;
      out->server_handle = done->server_handle();
      out->item_handle = done->item_handle();
      view_status(done->status(), out);
      return;
    }
    case EventRef::Kind::SessionState: {
      const proto::SessionStateEvent* state = ref.session_state();
      out->kind = MXGW_EVENT_SESSION_STATE;
      out->session_state = static_cast<int32_t>(state->state());
      out->reason = state->reason() ? state->reason()->c_str() : "";
      view_status(nullptr, out);
      return;
    }
  }
}

int next_event(CursorState& state, mxgw_event* event) {
  std::memset(event, 0, sizeof *event);
  if (const auto* gaps = state.batch->gaps(); gaps && state.next_gap < gaps->size()) {
    const proto::GapEvent* gap = gaps->Get(state.next_gap++);
    event->kind = MXGW_EVENT_GAP;
    event->gap_first_seq = gap->first_seq();
    event->gap_last_seq = gap->last_seq();
    event->gap_reason = static_cast<int32_t>(gap->reason());
    event->status = {1, 0, -1, 0};
    return 1;
  }
  EventRef ref;
  if (!state.events.next(&ref)) return 0;
  event->seq = state.first_seq + ref.position;
  view_event(ref, event);
  return 1;
}

int sample_of(const mxgw_event* event, uint32_t i, mxgw_value* value, uint32_t* quality, int64_t* source_time_ns) {
  if (!event || event->kind != MXGW_EVENT_BUFFERED_DATA_CHANGE || i >= event->sample_count) {
    return mxgw::capi::fail(MXGW_E_INVALID_ARGUMENT, "no such sample");
  }
  const auto* change = static_cast<const proto::BufferedDataChangeEvent*>(event->internal);
  const proto::BufferedSample* sample = change->samples()->Get(i);
  if (value) mxgw::capi::view_value(sample->value(), value);
  if (quality) *quality = sample->quality();
  if (source_time_ns) *source_time_ns = sample->source_time_ns();
  return MXGW_OK;
}

}  // namespace

extern "C" {

void mxgw_cursor_init(mxgw_cursor* cursor, const mxgw_batch* batch) {
  guarded([&] {
    const auto* events = static_cast<const proto::EventBatch*>(batch->internal);
    new (cursor->opaque) CursorState{events, batch->first_seq, 0, EventCursor(*events)};
  });
}

int mxgw_cursor_next(mxgw_cursor* cursor, mxgw_event* event) {
  return guarded([&]() -> int { return next_event(state_of(cursor), event); });
}

int mxgw_event_sample(const mxgw_event* event, uint32_t i, mxgw_value* value, uint32_t* quality,
                      int64_t* source_time_ns) {
  return guarded([&]() -> int { return sample_of(event, i, value, quality, source_time_ns); });
}

}  // extern "C"
