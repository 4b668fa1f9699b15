// ChangeReader: how mxgw-bench reads what a subscription delivers. Every change of
// every batch is read and checked (its server handle must be its session's), the
// sequence numbers are followed so that a missing event is counted as lost unless
// a Gap announced it, and the worker-to-receipt latency is taken once per batch
// (all events of a batch left the worker together).
//
// This is the bench tool's hot path: the numeric fast path is a tight loop over
// the in-place mxgw_numeric_change array; anything else goes through the cursor.
//
// Thread safety: one reader per consumer thread; nothing shared.

#pragma once

#include <mxgw/mxgw.h>

#include <cstdint>

namespace mxgw::bench {

// What one consumer thread has read so far.
struct ReadTotals {
  uint64_t events = 0;   // sequenced events received
  uint64_t changes = 0;  // data changes among them
  uint64_t batches = 0;
  uint64_t invalid = 0;     // changes that failed their check
  uint64_t missing = 0;     // sequence numbers skipped without an announcement
  uint64_t announced = 0;   // sequence numbers a Gap announced as not coming
  uint64_t gap_events = 0;  // Gap announcements
  double checksum = 0;      // the sum of every numeric value read
};

// One subscription as its reader follows it.
struct FollowedSubscription {
  mxgw_subscription* subscription = nullptr;
  int32_t server_handle = 0;  // the session's, from Register
  uint64_t next_seq = 0;      // 0 until the first batch
};

inline void read_gaps(const mxgw_batch& batch, FollowedSubscription& followed, ReadTotals& totals) {
  mxgw_cursor cursor;
  mxgw_event event;
  mxgw_cursor_init(&cursor, &batch);
  while (mxgw_cursor_next(&cursor, &event) && event.kind == MXGW_EVENT_GAP) {
    ++totals.gap_events;
    totals.announced += event.gap_last_seq - event.gap_first_seq + 1;
    if (followed.next_seq == 0 || followed.next_seq == event.gap_first_seq) followed.next_seq = event.gap_last_seq + 1;
  }
}

inline void read_events(const mxgw_batch& batch, const FollowedSubscription& followed, ReadTotals& totals) {
  mxgw_cursor cursor;
  mxgw_event event;
  mxgw_cursor_init(&cursor, &batch);
  while (mxgw_cursor_next(&cursor, &event)) {
    if (event.kind != MXGW_EVENT_DATA_CHANGE) continue;
    ++totals.changes;
    totals.invalid += event.server_handle != followed.server_handle;
    totals.checksum += event.value.type == MXGW_TYPE_DOUBLE ? event.value.v.real64 : 0.0;
  }
}

inline void read_batch(const mxgw_batch& batch, FollowedSubscription& followed, ReadTotals& totals) {
  ++totals.batches;
  if (batch.gap_count) read_gaps(batch, followed, totals);
  if (batch.event_count == 0) return;
  if (followed.next_seq != 0 && batch.first_seq != followed.next_seq) {
    if (batch.first_seq > followed.next_seq)
      totals.missing += batch.first_seq - followed.next_seq;
    else
      ++totals.invalid;  // a sequence number again: a duplicate
  }
  followed.next_seq = batch.first_seq + batch.event_count;
  totals.events += batch.event_count;
  if (batch.numeric_count == batch.event_count) {
    const mxgw_numeric_change* change = batch.numeric;
    const int32_t server = followed.server_handle;
    uint64_t invalid = 0;
    double sum = 0;
    for (uint32_t i = 0; i < batch.numeric_count; ++i) {
      invalid += change[i].server_handle != server;
      sum += change[i].value;
    }
    totals.changes += batch.numeric_count;
    totals.invalid += invalid;
    totals.checksum += sum;
  } else {
    read_events(batch, followed, totals);
  }
}

}  // namespace mxgw::bench
