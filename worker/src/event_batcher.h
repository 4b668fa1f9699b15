// EventBatcher: collects a worker's events into EventBatch frames.
//
// Numeric changes (the flood) are appended as 32-byte DataChange structs to a
// scratch array that is copied once into the batch when it is sealed; every other
// event is built straight into the batch's flatbuffer, with its position recorded so
// the reader can merge the vectors back into production order. A batch is sealed
// when it reaches max_events, and whenever the worker's loop finishes a round (so a
// lone event leaves at once, and a flood leaves in large frames). Sealed payloads go
// to the sink, normally the gateway connection.
//
// Producing stops when the round's budget is spent or the connection is blocked:
// wants_more() is what backends check between events.
//
// Thread safety: none; the worker's loop thread only.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <mxgw/clock.h>
#include <mxgw/schema/events_generated.h>
#include <mxgw/transport/payload_builder.h>

#include "worker/src/backend.h"
#include "worker/src/scalar_value.h"

namespace mxgw::worker {

struct BufferedSample {
  ScalarValue value;
  uint32_t quality = 0;
  int64_t source_time_ns = 0;
};

class EventBatcher {
 public:
  struct Limits {
    uint32_t max_events = 2048;  // 64 KiB of numeric changes
  };
  using Sink = std::function<void(transport::SharedBytes payload, uint64_t events)>;
  using BufferedSampleSink = std::function<void(ItemKey key, BufferedSample sample)>;

  EventBatcher(Limits limits, Sink sink);

  // ---- what backends call ----

  bool wants_more() const { return budget_ > 0 && !blocked_; }

  void add_numeric(ItemKey key, proto::MxDataType type, double value, uint32_t quality, int64_t source_time_ns) {
    numeric_[numeric_count_++] =
        proto::DataChange(key.server_handle, key.item_handle, quality, type, uint16_t{0}, source_time_ns, value);
    counted_one();
  }

  // Bulk production, for backends that write DataChange structs themselves:
  // bulk_room() is where the next numeric changes go, at most bulk_budget() events
  // in all (numeric or not) so the bulk fits the open batch and the round's budget;
  // table events added meanwhile take position bulk_position(p) for the p-th event of
  // the bulk; end_bulk(n) commits the n numeric changes written.
  proto::DataChange* bulk_room() { return numeric_.get() + numeric_count_; }
  size_t bulk_budget() const {
    const uint64_t room = limits_.max_events - events_;
    return blocked_ ? 0 : static_cast<size_t>(room < budget_ ? room : budget_);
  }
  uint32_t bulk_position(uint32_t p) const { return bulk_base_ + p; }
  void begin_bulk() { bulk_base_ = events_; }
  void end_bulk(size_t numeric) {
    numeric_count_ += static_cast<uint32_t>(numeric);
    events_ += static_cast<uint32_t>(numeric);
    budget_ = budget_ > numeric ? budget_ - numeric : 0;
    if (events_ >= limits_.max_events) seal();
  }
  // Any value, with an optional non-success status. Numeric values with no status
  // take the numeric fast path.
  void add_data_change(ItemKey key, const ScalarValue& value, uint32_t quality, int64_t source_time_ns,
                       std::span<const proto::MxStatus> status = {});
  // A non-numeric change at an explicit position inside the current bulk.
  void add_bulk_data_change(uint32_t bulk_position_p, ItemKey key, const ScalarValue& value, uint32_t quality,
                            int64_t source_time_ns);

  // A sample of an item added with `buffered`: held back and delivered as part of an
  // OnBufferedDataChange at the registration's buffered update interval.
  void add_buffered_sample(ItemKey key, BufferedSample sample) { buffered_sample_sink_(key, std::move(sample)); }

  // ---- what the worker calls ----

  void set_buffered_sample_sink(BufferedSampleSink sink) { buffered_sample_sink_ = std::move(sink); }

  void add_buffered_change(ItemKey key, proto::MxDataType type, std::span<const BufferedSample> samples);
  void add_write_complete(ItemKey key, uint64_t write_id, const proto::MxStatus& status);
  void note_coalesced(uint64_t changes) { coalesced_ += changes; }

  // A fresh budget for one round of production.
  void start_round(uint64_t budget) { budget_ = budget; }
  void set_blocked(bool blocked) { blocked_ = blocked; }

  // Seals the open batch, if it holds anything, and hands it to the sink.
  void seal();

 private:
  void counted_one() {
    if (budget_ > 0) --budget_;
    if (++events_ >= limits_.max_events) seal();
  }
  uint32_t next_position() const { return events_; }
  void add_table_data_change(uint32_t position, ItemKey key, const ScalarValue& value, uint32_t quality,
                             int64_t source_time_ns, std::span<const proto::MxStatus> status);

  Limits limits_;
  Sink sink_;
  BufferedSampleSink buffered_sample_sink_ = [](ItemKey, BufferedSample) {};
  transport::PayloadBuilder builder_;
  std::unique_ptr<proto::DataChange[]> numeric_;  // max_events slots
  uint32_t numeric_count_ = 0;
  uint32_t bulk_base_ = 0;
  std::vector<flatbuffers::Offset<proto::DataChangeEvent>> data_changes_;
  std::vector<flatbuffers::Offset<proto::BufferedDataChangeEvent>> buffered_;
  std::vector<flatbuffers::Offset<proto::WriteCompleteEvent>> write_completes_;
  uint32_t events_ = 0;
  uint64_t coalesced_ = 0;
  uint64_t budget_ = 0;
  bool blocked_ = false;
};

}  // namespace mxgw::worker
