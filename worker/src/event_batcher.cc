// Sealing event batches.

#include "worker/src/event_batcher.h"

#include "worker/src/mx_status.h"

namespace mxgw::worker {

EventBatcher::EventBatcher(Limits limits, Sink sink)
    : limits_(limits),
      sink_(std::move(sink)),
      // Room for a full batch of numeric changes, so sealing never regrows the buffer.
      builder_(limits.max_events * sizeof(proto::DataChange) + (4u << 10)) {
  numeric_ = std::make_unique<proto::DataChange[]>(limits_.max_events);
}

void EventBatcher::add_data_change(ItemKey key, const ScalarValue& value, uint32_t quality, int64_t source_time_ns,
                                   std::span<const proto::MxStatus> status) {
  if (status.empty() && is_numeric(value.type)) {
    add_numeric(key, value.type, value.number, quality, source_time_ns);
    return;
  }
  add_table_data_change(next_position(), key, value, quality, source_time_ns, status);
  counted_one();
}

void EventBatcher::add_bulk_data_change(uint32_t bulk_position_p, ItemKey key, const ScalarValue& value,
                                        uint32_t quality, int64_t source_time_ns) {
  add_table_data_change(bulk_position(bulk_position_p), key, value, quality, source_time_ns, {});
  // Counted like a numeric change of the bulk: end_bulk() does not know about it.
  ++events_;
  if (budget_ > 0) --budget_;
}

void EventBatcher::add_table_data_change(uint32_t position, ItemKey key, const ScalarValue& value, uint32_t quality,
                                         int64_t source_time_ns, std::span<const proto::MxStatus> status) {
  auto& fbb = builder_.fbb();
  const auto built_value = build_value(fbb, value);
  const auto statuses = status.empty() ? 0 : fbb.CreateVectorOfStructs(status.data(), status.size());
  data_changes_.push_back(proto::CreateDataChangeEvent(fbb, position, key.server_handle, key.item_handle, built_value,
                                                       quality, source_time_ns, statuses));
}

void EventBatcher::add_buffered_change(ItemKey key, proto::MxDataType type, std::span<const BufferedSample> samples) {
  auto& fbb = builder_.fbb();
  std::vector<flatbuffers::Offset<proto::BufferedSample>> built;
  built.reserve(samples.size());
  for (const BufferedSample& sample : samples) {
    built.push_back(
        proto::CreateBufferedSample(fbb, build_value(fbb, sample.value), sample.quality, sample.source_time_ns));
  }
  const proto::MxStatus ok = success_status();
  buffered_.push_back(proto::CreateBufferedDataChangeEvent(fbb, next_position(), key.server_handle, key.item_handle,
                                                           type, fbb.CreateVector(built),
                                                           fbb.CreateVectorOfStructs(&ok, 1)));
  counted_one();
}

void EventBatcher::add_write_complete(ItemKey key, uint64_t write_id, const proto::MxStatus& status) {
  auto& fbb = builder_.fbb();
  write_completes_.push_back(proto::CreateWriteCompleteEvent(fbb, next_position(), key.server_handle, key.item_handle,
                                                             write_id, fbb.CreateVectorOfStructs(&status, 1)));
  counted_one();
}

void EventBatcher::seal() {
  if (events_ == 0 && coalesced_ == 0) return;
  auto& fbb = builder_.fbb();
  auto optional_vector = [&fbb](const auto& offsets) { return offsets.empty() ? 0 : fbb.CreateVector(offsets); };
  const auto changes = numeric_count_ == 0 ? 0 : fbb.CreateVectorOfStructs(numeric_.get(), numeric_count_);
  const auto data_changes = optional_vector(data_changes_);
  const auto buffered = optional_vector(buffered_);
  const auto write_completes = optional_vector(write_completes_);
  proto::EventBatchBuilder batch(fbb);
  batch.add_worker_time_ns(wall_clock_ns());
  batch.add_coalesced_changes(coalesced_);
  batch.add_changes(changes);
  batch.add_data_changes(data_changes);
  batch.add_buffered_changes(buffered);
  batch.add_write_completes(write_completes);
  transport::SharedBytes payload = builder_.finish(batch.Finish(), proto::EventBatchIdentifier());

  const uint64_t events = events_;
  numeric_count_ = 0;
  data_changes_.clear();
  buffered_.clear();
  write_completes_.clear();
  events_ = 0;
  coalesced_ = 0;
  sink_(std::move(payload), events);
}

}  // namespace mxgw::worker
