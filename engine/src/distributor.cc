// Sequencing, zero-copy fan-out and lossless flow control.

#include "engine/src/distributor.h"

#include <algorithm>

#include <mxgw/schema/client_generated.h>

namespace mxgw::engine {

Distributor::~Distributor() { end_all(); }

void Distributor::add(std::shared_ptr<Subscription> subscription) {
  subscribers_.push_back({std::move(subscription), {}});
}

void Distributor::remove(uint64_t subscription_id) {
  std::erase_if(subscribers_, [&](Subscriber& s) {
    if (s.subscription->id() != subscription_id) return false;
    s.subscription->end({});
    return true;
  });
  update_flow();
}

bool Distributor::deliver(Subscriber& s, const Delivery* delivery) {
  auto offer = [&](const Delivery& d) {
    if (s.subscription->offer(d)) return true;
    // Full: say so, then try once more (the consumer may have made room between the
    // failed offer and the flag; see Subscription).
    s.subscription->wait_for_room();
    return s.subscription->offer(d);
  };
  while (!s.owed.empty() && offer(s.owed.front())) s.owed.pop_front();
  if (delivery) {
    if (!s.owed.empty() || !offer(*delivery)) s.owed.push_back(*delivery);
    events_out_ += delivery->count;
  }
  return s.owed.empty();
}

void Distributor::publish(transport::SharedBytes batch, uint32_t count, int64_t gateway_time_ns, uint32_t flags) {
  const Delivery delivery{next_seq_, count, flags, gateway_time_ns, std::move(batch)};
  next_seq_ += count;
  for (Subscriber& s : subscribers_) deliver(s, &delivery);
  update_flow();
}

void Distributor::publish_state(proto::SessionState state, const std::string& reason, int64_t gateway_time_ns) {
  auto& fbb = builder_.fbb();
  const auto event = proto::CreateSessionStateEvent(fbb, 0, state, fbb.CreateString(reason));
  const auto states = fbb.CreateVector(&event, 1);
  proto::EventBatchBuilder batch(fbb);
  batch.add_worker_time_ns(gateway_time_ns);
  batch.add_session_states(states);
  publish(builder_.finish(batch.Finish(), proto::EventBatchIdentifier()), 1, gateway_time_ns,
          static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated));
}

void Distributor::room_for(uint64_t subscription_id) {
  for (Subscriber& s : subscribers_) {
    if (s.subscription->id() == subscription_id) deliver(s, nullptr);
  }
  update_flow();
}

void Distributor::update_flow() {
  const bool owing = std::any_of(subscribers_.begin(), subscribers_.end(), [](const Subscriber& s) { return !s.owed.empty(); });
  if (owing && !paused_) {
    paused_ = true;
    hooks_.pause();
  } else if (!owing && paused_) {
    paused_ = false;
    hooks_.resume();
  }
}

void Distributor::end_all() {
  // What a lossless subscriber was still owed goes with the ending, so that it loses
  // nothing even of the session's last moments.
  for (Subscriber& s : subscribers_) s.subscription->end(std::move(s.owed));
  subscribers_.clear();
  update_flow();
}

}  // namespace mxgw::engine
