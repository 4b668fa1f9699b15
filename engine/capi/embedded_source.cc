// Embedded mode's reading of a subscription: each delivery's frame reference moves
// into a HeldBatch, and a gateway-built batch announcing a fault is remembered so
// that the end says why.

#include "engine/capi/embedded_source.h"

#include <utility>

#include <mxgw/transport/frame_verifier.h>

namespace mxgw::capi {
namespace {

bool ended_faulted(const proto::EventBatch& batch) {
  const auto* states = batch.session_states();
  return states && states->size() > 0 && states->Get(states->size() - 1)->state() == proto::SessionState::Faulted;
}

}  // namespace

size_t EmbeddedSource::take(size_t max, HeldBatch* out) {
  size_t taken = 0;
  subscription_->poll(max, [&](engine::Delivery& delivery) {
    HeldBatch& held = out[taken++];
    hold(held, delivery, std::move(delivery.batch), transport::event_batch);
    if ((held.flags & static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated)) && ended_faulted(*held.batch)) {
      faulted_ = true;
    }
  });
  return taken;
}

bool EmbeddedSource::wait_until(std::chrono::steady_clock::time_point deadline) {
  return doorbell_->wait_until([this] { return ready(); }, deadline);
}

Status EmbeddedSource::end_status() {
  if (subscription_->disconnected()) {
    return {ErrorCode::SlowConsumer, "the subscription fell behind and the disconnect policy ended it"};
  }
  if (faulted_) return {ErrorCode::SessionFaulted, "the session faulted"};
  return {};
}

void EmbeddedSource::unsubscribe() {
  if (auto request = std::exchange(unsubscribe_, nullptr)) request();
}

}  // namespace mxgw::capi
