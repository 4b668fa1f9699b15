// PendingRequest: a request sent and not yet answered, and Completion: where its
// result goes (a promise behind a std::future, or a callback).
//
// An answer is read into the typed Result on the I/O thread; a request that cannot
// complete normally (connection lost, client closed, timed out) fails with a Status.
// Either way the completion runs exactly once.
//
// Thread safety: created on an application thread, then owned and completed by the
// I/O thread alone.

#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <utility>
#include <variant>

#include <mxgw/schema/client_generated.h>
#include <mxgw/status.h>

#include "engine/client/client_messages.h"
#include "engine/client/client_types.h"

namespace mxgw::client {

// What the I/O thread offers an answer that must change its state: a Subscribed
// answer attaches the subscription's EventStream before any of its frames arrive.
class SubscriptionRegistry {
 public:
  virtual ~SubscriptionRegistry() = default;
  virtual std::shared_ptr<EventStream> attach(uint64_t subscription_id, SubscribeOptions&& options) = 0;
};

template <typename T>
class Completion {
 public:
  explicit Completion(std::promise<Result<T>> promise) : sink_(std::move(promise)) {}
  explicit Completion(Callback<T> callback) : sink_(std::move(callback)) {}

  void operator()(Result<T>&& result) {
    if (auto* promise = std::get_if<std::promise<Result<T>>>(&sink_)) {
      promise->set_value(std::move(result));
    } else if (auto& callback = std::get<Callback<T>>(sink_)) {
      callback(std::move(result));
    }
  }

  void fail(const Status& why) {
    Result<T> result;
    result.status = why;
    (*this)(std::move(result));
  }

 private:
  std::variant<std::promise<Result<T>>, Callback<T>> sink_;
};

class PendingRequest {
 public:
  virtual ~PendingRequest() = default;
  // The answer with this request's id arrived.
  virtual void complete(SubscriptionRegistry& registry, const proto::ClientFrame& frame) = 0;
  // No answer will come.
  virtual void fail(const Status& why) = 0;
};

// A request answered by a message of kind `expected`, read into T.
template <typename T>
class Pending : public PendingRequest {
 public:
  Pending(proto::ClientMessage expected, Completion<T> done) : expected_(expected), done_(std::move(done)) {}

  void complete(SubscriptionRegistry& registry, const proto::ClientFrame& frame) override {
    Result<T> result;
    result.status = answer_status(frame, expected_);
    if (result.ok()) {
      read_answer(frame, &result.value);
      on_answer(registry, &result.value);
    }
    done_(std::move(result));
  }

  void fail(const Status& why) override { done_.fail(why); }

 protected:
  // Runs on the I/O thread with a successful answer, before the completion.
  virtual void on_answer(SubscriptionRegistry& /*registry*/, T* /*value*/) {}

 private:
  const proto::ClientMessage expected_;
  Completion<T> done_;
};

// Subscribe: on success the stream is attached (and handed out in the answer).
class PendingSubscribe final : public Pending<Subscribed> {
 public:
  PendingSubscribe(SubscribeOptions options, Completion<Subscribed> done)
      : Pending<Subscribed>(proto::ClientMessage::Subscribed, std::move(done)), options_(std::move(options)) {}

 protected:
  void on_answer(SubscriptionRegistry& registry, Subscribed* value) override {
    value->events = registry.attach(value->subscription_id, std::move(options_));
  }

 private:
  SubscribeOptions options_;
};

}  // namespace mxgw::client
