// Shared checks of the fuzz targets.

#include "tests/fuzz/fuzz_support.h"

#include <bit>
#include <cstdio>
#include <cstdlib>

#include <mxgw/transport/event_cursor.h>
#include <mxgw/transport/frame_verifier.h>

namespace mxgw::fuzz {

transport::SharedBytes as_received(const transport::SharedBytes& built) {
  return transport::copy_to_slab(built.bytes());
}

void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz expectation failed: %s\n", what);
  std::abort();
}

void expect_ok(const Status& status, const char* what) {
  if (status.is_ok()) return;
  std::fprintf(stderr, "fuzz expectation failed: %s: %s\n", what, status.to_string().c_str());
  std::abort();
}

namespace {

// Unpacks `event` whole (every value, sample, status and string) into its object type.
template <typename Table>
uint64_t unpack(const Table* event) {
  typename Table::NativeTableType object;
  event->UnPackTo(&object);
  return object.position;
}

}  // namespace

void read_event_batch(const proto::EventBatch& batch) {
  using Kind = transport::EventRef::Kind;
  transport::EventCursor cursor(batch);
  transport::EventRef event;
  uint64_t events = 0;
  // Unsigned, so that any values may be summed; volatile, so that no read is dropped.
  volatile uint64_t sum = static_cast<uint64_t>(batch.worker_time_ns()) + batch.coalesced_changes();
  while (cursor.next(&event)) {
    expect(event.position == events, "the cursor skipped or repeated a position");
    ++events;
    switch (event.kind) {
      case Kind::NumericChange: {
        const proto::DataChange& c = *event.numeric();
        sum = sum + static_cast<uint64_t>(c.server_handle()) + static_cast<uint64_t>(c.item_handle()) + c.quality() +
              static_cast<uint64_t>(c.data_type()) + static_cast<uint64_t>(c.source_time_ns()) +
              std::bit_cast<uint64_t>(c.value());
        break;
      }
      case Kind::DataChange:
        sum = sum + unpack(event.data_change());
        break;
      case Kind::BufferedChange:
        sum = sum + unpack(event.buffered());
        break;
      case Kind::WriteComplete:
        sum = sum + unpack(event.write_complete());
        break;
      case Kind::OperationComplete:
        sum = sum + unpack(event.operation_complete());
        break;
      case Kind::SessionState:
        sum = sum + unpack(event.session_state());
        break;
    }
  }
  expect(events == transport::event_count(batch), "the cursor's events differ from the batch's count");
  if (const auto* gaps = batch.gaps()) {
    for (const proto::GapEvent* gap : *gaps) {
      proto::GapEventT object;
      gap->UnPackTo(&object);
      sum = sum + object.last_seq;
    }
  }
}

}  // namespace mxgw::fuzz
