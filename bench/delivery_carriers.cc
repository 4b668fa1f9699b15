// The carriers of the embedded delivery benchmark: the distributor's feed and its
// two consumers (Subscription::poll, mxgw_poll), and the two reference queues.

#include "bench/delivery_carriers.h"

#include <optional>
#include <utility>

#include <mxgw/transport/frame_verifier.h>

#include "engine/capi/embedded_source.h"
#include "engine/capi/handles.h"

namespace mxgw::bench {
namespace {

const proto::DataChange* changes_of(const transport::SharedBytes& frame, uint32_t* n) {
  const auto* changes = transport::event_batch(frame)->changes();
  *n = changes ? changes->size() : 0;
  return changes ? reinterpret_cast<const proto::DataChange*>(changes->Data()) : nullptr;
}

void read_delivery(const engine::Delivery& delivery, Reader& reader) {
  uint32_t n = 0;
  const proto::DataChange* changes = changes_of(delivery.batch, &n);
  reader.batch(delivery.first_seq, delivery.count, delivery.gateway_time_ns, changes, n);
}

// Pushes `item` into `queue`, waiting while it is full (lossless).
template <typename Queue, typename Item>
void push_waiting(Queue& queue, Item&& item) {
  unsigned spins = 0;
  while (!queue.try_enqueue(item)) backoff(spins);
}

// Reads up to `max` items of `queue` in place, then drops them, as a ring is polled.
template <typename Queue, typename Read>
size_t drain(Queue& queue, size_t max, Read&& read) {
  size_t taken = 0;
  for (; taken < max; ++taken) {
    auto* item = queue.peek();
    if (!item) break;
    read(*item);
    queue.pop();
  }
  return taken;
}

}  // namespace

// ---- the distributor ----------------------------------------------------------

DistributorFeed::DistributorFeed(size_t consumers, bool doorbells)
    : wakes_(new Wake[consumers]),
      distributor_({[this] { paused_ = true; }, [this] { paused_ = false; }}, engine::ReplayWindowLimits{}, metrics_) {
  for (size_t c = 0; c < consumers; ++c) {
    auto doorbell = std::make_shared<transport::Doorbell>();
    engine::Subscription::Signal notify;
    if (doorbells) notify = [doorbell] { doorbell->ring(); };
    // Release pairs with serve_wakes()'s acquire: the request is seen with what the
    // consumer did before it (the engine's shard inbox orders the same).
    auto wake = [requested = &wakes_[c].requested] { requested->store(true, std::memory_order_release); };
    auto subscription = std::make_shared<engine::Subscription>(c + 1, "session-bench", proto::DeliveryPolicy::Lossless,
                                                               distributor_.next_seq(), kRingCapacity, std::move(wake),
                                                               std::move(notify));
    distributor_.add(subscription, std::nullopt);
    subscriptions_.push_back(std::move(subscription));
    doorbells_.push_back(std::move(doorbell));
  }
}

void DistributorFeed::publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp) {
  distributor_.publish(frame, count, stamp);
  // Lossless: while a consumer is owed what its ring had no room for, the session
  // reads nothing more from its worker, so nothing more is published.
  unsigned spins = 0;
  while (paused_) {
    serve_wakes();
    if (paused_) backoff(spins);
  }
}

void DistributorFeed::serve_wakes() {
  for (size_t c = 0; c < subscriptions_.size(); ++c) {
    std::atomic<bool>& requested = wakes_[c].requested;
    // A relaxed look first keeps an idle flag's line shared; the exchange's acquire
    // pairs with the consumer's release.
    if (requested.load(std::memory_order_relaxed) && requested.exchange(false, std::memory_order_acquire)) {
      distributor_.room_for(subscriptions_[c]->id());
    }
  }
}

size_t DistributorCarrier::poll(size_t c, Reader& reader) {
  return feed_.subscription(c).poll(kMaxPerPoll, [&](engine::Delivery& d) { read_delivery(d, reader); });
}

// ---- the C API over the same feed ---------------------------------------------

CapiCarrier::CapiCarrier(size_t consumers, uint32_t)
    : feed_(consumers, true), client_(std::make_shared<capi::ClientState>(nullptr)), views_(consumers) {
  for (size_t c = 0; c < consumers; ++c) {
    auto* handle = new mxgw_subscription;
    handle->client = client_;
    // mxgw_poll fills at most `max` of these; poll() never asks for more.
    handle->held.resize(kMaxPerPoll);
    handle->source = std::make_unique<capi::EmbeddedSource>(feed_.shared_subscription(c), feed_.doorbell(c),
                                                            [this, c] { feed_.remove(c); });
    handles_.push_back(handle);
    views_[c].resize(kMaxPerPoll);
  }
}

CapiCarrier::~CapiCarrier() {
  for (mxgw_subscription* handle : handles_) mxgw_subscription_free(handle);
}

size_t CapiCarrier::poll(size_t c, Reader& reader) {
  mxgw_batch* views = views_[c].data();
  const int n = mxgw_poll(handles_[c], views, kMaxPerPoll);
  if (n < 0) {
    reader.errors += 1;
    return 0;
  }
  for (int i = 0; i < n; ++i) {
    reader.batch(views[i].first_seq, views[i].event_count, views[i].gateway_time_ns, views[i].numeric,
                 views[i].numeric_count);
  }
  if (n > 0) mxgw_release(handles_[c]);
  return static_cast<size_t>(n);
}

// ---- the reference queues -----------------------------------------------------

RwqBatchCarrier::RwqBatchCarrier(size_t consumers, uint32_t) {
  for (size_t c = 0; c < consumers; ++c) {
    queues_.push_back(std::make_unique<moodycamel::ReaderWriterQueue<engine::Delivery>>(kRingCapacity));
  }
}

void RwqBatchCarrier::publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp) {
  const engine::Delivery delivery{next_seq_, count, 0, stamp, frame};
  next_seq_ += count;
  for (auto& queue : queues_) push_waiting(*queue, delivery);
}

size_t RwqBatchCarrier::poll(size_t c, Reader& reader) {
  return drain(*queues_[c], kMaxPerPoll, [&](const engine::Delivery& d) { read_delivery(d, reader); });
}

RwqEventCarrier::RwqEventCarrier(size_t consumers, uint32_t batch_events) {
  for (size_t c = 0; c < consumers; ++c) {
    queues_.push_back(std::make_unique<moodycamel::ReaderWriterQueue<Item>>(kRingCapacity * batch_events));
  }
}

void RwqEventCarrier::publish(const transport::SharedBytes& frame, uint32_t, int64_t stamp) {
  uint32_t n = 0;
  const proto::DataChange* changes = changes_of(frame, &n);
  for (auto& queue : queues_) {
    for (uint32_t i = 0; i < n; ++i) push_waiting(*queue, Item{changes[i], i == 0 ? stamp : 0});
  }
}

size_t RwqEventCarrier::poll(size_t c, Reader& reader) {
  // As many changes per poll as the others read in 256 batches of one.
  return drain(*queues_[c], kMaxPerPoll, [&](const Item& item) { reader.change(item.change, item.stamp); });
}

}  // namespace mxgw::bench
