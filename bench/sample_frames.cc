// Sample event batches and frame streams.

#include "bench/sample_frames.h"

#include <cstdint>
#include <cstring>

#include <mxgw/schema/events_generated.h>
#include <mxgw/transport/payload_builder.h>

namespace mxgw::bench {

transport::SharedBytes sample_event_batch(int changes) {
  transport::PayloadBuilder builder(static_cast<size_t>(changes) * sizeof(proto::DataChange) + 256);
  auto& fbb = builder.fbb();
  std::vector<proto::DataChange> values;
  values.reserve(static_cast<size_t>(changes));
  for (int i = 0; i < changes; ++i) {
    values.emplace_back(1, i, 0xC0u, proto::MxDataType::Double, 0,
                        int64_t{1'700'000'000'000'000'000} + i * int64_t{1000}, 0.25 * i);
  }
  auto batch = proto::CreateEventBatch(fbb, 1'700'000'000'000'000'000, fbb.CreateVectorOfStructs(values));
  return builder.finish(batch, proto::EventBatchIdentifier());
}

void append_frame(std::vector<std::byte>& stream, transport::FrameKind kind, std::span<const std::byte> payload) {
  const size_t at = stream.size();
  stream.resize(at + transport::frame_wire_size(payload.size()));
  transport::encode_frame_header(kind, static_cast<uint32_t>(payload.size()), stream.data() + at);
  std::memcpy(stream.data() + at + transport::kFrameHeaderSize, payload.data(), payload.size());
}

}  // namespace mxgw::bench
