// EmbeddedSource: embedded mode's EventSource, one subscription's deliveries read
// straight from the distributor's SPSC ring (engine::Subscription) by the caller's
// consumer thread, with no syscall and no allocation; a Doorbell for callers that
// wait instead of polling. The frame reference is moved out of the ring into the
// caller's HeldBatch, so the ring's room goes back to the producer at once.
//
// It knows nothing of the session manager: what unsubscribing asks of the engine is
// given to it, so the same source serves a subscription made by the manager and
// one fed by a distributor the caller drives itself (bench/embedded_delivery).
//
// Thread safety: as EventSource. take(), wait_until(), finished() and end_status()
// on the subscription's consumer thread; unsubscribe() from any thread, once the
// consumer is done with the source.

#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <mxgw/transport/doorbell.h>

#include "engine/capi/connection.h"
#include "engine/core/subscription.h"

namespace mxgw::capi {

class EmbeddedSource final : public EventSource {
 public:
  // `doorbell` is the one the subscription's notify_consumer rings; `unsubscribe`
  // asks the engine to stop delivering (it runs once, at most).
  EmbeddedSource(std::shared_ptr<engine::Subscription> subscription, std::shared_ptr<transport::Doorbell> doorbell,
                 std::function<void()> unsubscribe)
      : subscription_(std::move(subscription)), doorbell_(std::move(doorbell)), unsubscribe_(std::move(unsubscribe)) {}
  ~EmbeddedSource() override { unsubscribe(); }

  size_t take(size_t max, HeldBatch* out) override;
  bool wait_until(std::chrono::steady_clock::time_point deadline) override;
  bool finished() override { return subscription_->ended(); }
  Status end_status() override;
  void unsubscribe() override;

 private:
  bool ready() { return subscription_->queued() > 0 || subscription_->ended(); }

  const std::shared_ptr<engine::Subscription> subscription_;
  const std::shared_ptr<transport::Doorbell> doorbell_;
  std::function<void()> unsubscribe_;  // emptied once it has run
  bool faulted_ = false;
};

}  // namespace mxgw::capi
