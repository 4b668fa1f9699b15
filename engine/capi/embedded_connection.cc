// EmbeddedConnection: libmxgw's embedded mode. The engine (a SessionManager with its
// shards and worker processes) runs inside the caller's process; subscriptions are
// the distributor's own SPSC rings, polled by the caller's thread with no syscall
// and no allocation (EmbeddedSource), and a Doorbell for callers that wait instead
// of polling.
//
// The embedding program is the engine's only user, so it acts with an admin caller.
//
// Thread safety: as Connection. The manager accepts calls from any thread; after
// close() it answers ShuttingDown (a call racing with close gets its answer from
// the shards as they close every session, since close waits for them).

#include <future>
#include <memory>
#include <mutex>
#include <utility>

#include <mxgw/transport/doorbell.h>

#include "engine/capi/connection.h"
#include "engine/capi/embedded_source.h"
#include "engine/core/session_manager.h"
#include "engine/core/subscription.h"

namespace mxgw::capi {
namespace {

const engine::Caller kEmbeddedCaller{"embedded", true};

class EmbeddedConnection final : public Connection {
 public:
  explicit EmbeddedConnection(engine::EngineConfig config) : manager_(std::move(config)) {}
  ~EmbeddedConnection() override { manager_.shutdown(); }

  Status start() { return manager_.start(); }

  bool embedded() const noexcept override { return true; }

  Status open_session(const engine::OpenRequest& request, OpenedSession* out) override {
    std::promise<Status> answered;
    manager_.open(kEmbeddedCaller, request, [&](const Status& status, const engine::SessionInfo& info) {
      if (status.is_ok()) *out = {info.session_id, info.lease_ms};
      answered.set_value(status);
    });
    return answered.get_future().get();
  }

  Status invoke(const std::string& session_id, const proto::CommandT& command, proto::ReplyT* reply) override {
    std::promise<Status> answered;
    manager_.invoke(kEmbeddedCaller, session_id, command, [&](engine::CommandResult result) {
      if (result.status.is_ok()) {
        flatbuffers::GetRoot<proto::WorkerFrame>(result.reply_frame.data())->message_as_Reply()->UnPackTo(reply);
      }
      answered.set_value(result.status);
    });
    return answered.get_future().get();
  }

  Status close_session(const std::string& session_id, bool* already_closed) override {
    std::promise<Status> answered;
    manager_.close(kEmbeddedCaller, session_id, [&](const Status& status, bool already) {
      *already_closed = already;
      answered.set_value(status);
    });
    return answered.get_future().get();
  }

  void renew_lease(const std::string& session_id) override {
    manager_.renew_lease(kEmbeddedCaller, session_id, [](const Status&) {});
  }

  Status subscribe(const std::string& session_id, const engine::SubscribeOptions& options,
                   std::unique_ptr<EventSource>* out) override {
    auto doorbell = std::make_shared<transport::Doorbell>();
    std::promise<Status> answered;
    manager_.subscribe(
        kEmbeddedCaller, session_id, options, [doorbell] { doorbell->ring(); },
        [&](const Status& status, std::shared_ptr<engine::Subscription> subscription) {
          if (status.is_ok()) {
            auto unsubscribe = [this, session_id, id = subscription->id()] { manager_.unsubscribe(session_id, id); };
            *out = std::make_unique<EmbeddedSource>(std::move(subscription), doorbell, std::move(unsubscribe));
          }
          answered.set_value(status);
        });
    return answered.get_future().get();
  }

  void close(const std::vector<std::string>&) override { manager_.shutdown(); }

 private:
  engine::SessionManager manager_;
};

}  // namespace

std::unique_ptr<Connection> open_embedded(const mxgw_client_options& options, Status* error) {
  engine::EngineConfig config;
  config.shards = options.shards;
  if (options.max_sessions) config.max_sessions = options.max_sessions;
  if (options.worker_path) config.worker_path = options.worker_path;
  if (options.default_backend) config.default_backend = options.default_backend;
  if (options.lease_ms) config.lease_ms = options.lease_ms;
  if (options.subscription_ring) config.subscriber_ring_capacity = options.subscription_ring;
  if (Status valid = config.validate(); !valid.is_ok()) {
    *error = valid;
    return nullptr;
  }
  auto connection = std::make_unique<EmbeddedConnection>(std::move(config));
  if (Status started = connection->start(); !started.is_ok()) {
    *error = started;
    return nullptr;
  }
  return connection;
}

}  // namespace mxgw::capi
