// RemoteConnection: libmxgw's remote mode, a GatewayClient connected to `mxgw serve`
// over TCP or a Unix socket. Subscriptions are the client's EventStreams: frames
// land in their SPSC rings on the client's I/O thread and are handed out by
// reference, as in embedded mode.
//
// Thread safety: as Connection; GatewayClient is safe from any thread.

#include <future>
#include <memory>
#include <utility>

#include <mxgw/transport/frame_verifier.h>

#include "engine/capi/connection.h"
#include "engine/client/gateway_client.h"

namespace mxgw::capi {
namespace {

class RemoteSource final : public EventSource {
 public:
  RemoteSource(client::GatewayClient& client, std::shared_ptr<client::EventStream> stream)
      : client_(client), stream_(std::move(stream)) {}

  ~RemoteSource() override { unsubscribe(); }

  size_t take(size_t max, HeldBatch* out) override {
    size_t taken = 0;
    stream_->poll(max, [&](client::EventFrame& frame) {
      hold(out[taken++], frame, std::move(frame.payload), transport::client_event_batch);
    });
    return taken;
  }

  bool wait_until(std::chrono::steady_clock::time_point deadline) override { return stream_->wait_until(deadline); }
  bool finished() override { return stream_->finished(); }
  Status end_status() override { return stream_->end_status(); }

  void unsubscribe() override {
    if (!unsubscribed_) {
      unsubscribed_ = true;
      client_.unsubscribe(stream_->subscription_id(), [](client::Result<client::Done>&&) {});
    }
  }

 private:
  client::GatewayClient& client_;
  const std::shared_ptr<client::EventStream> stream_;
  bool unsubscribed_ = false;
};

class RemoteConnection final : public Connection {
 public:
  explicit RemoteConnection(std::unique_ptr<client::GatewayClient> client) : client_(std::move(client)) {}

  bool embedded() const noexcept override { return false; }

  Status open_session(const engine::OpenRequest& request, OpenedSession* out) override {
    client::OpenSessionRequest wire;
    wire.client_session_name = request.client_session_name;
    wire.backend = request.backend;
    wire.command_timeout_ms = request.command_timeout_ms;
    wire.backend_options = request.backend_options;
    client::Result<client::OpenedSession> opened = client_->open_session(wire).get();
    if (opened.ok()) *out = {opened.value.session_id, static_cast<uint64_t>(opened.value.lease_ms)};
    return opened.status;
  }

  Status invoke(const std::string& session_id, const proto::CommandT& command, proto::ReplyT* reply) override {
    client::Result<client::InvokeAnswer> answer = client_->invoke(session_id, command).get();
    if (answer.ok()) *reply = std::move(answer.value.reply);
    return answer.status;
  }

  Status close_session(const std::string& session_id, bool* already_closed) override {
    client::Result<client::SessionClosed> closed = client_->close_session(session_id).get();
    *already_closed = closed.value.already_closed;
    return closed.status;
  }

  void renew_lease(const std::string& session_id) override {
    client_->renew_lease(session_id, [](client::Result<client::LeaseRenewed>&&) {});
  }

  Status subscribe(const std::string& session_id, const engine::SubscribeOptions& options,
                   std::unique_ptr<EventSource>* out) override {
    client::SubscribeOptions wire;
    wire.policy = options.policy;
    wire.resume = options.resume_from.has_value();
    wire.resume_from_seq = options.resume_from.value_or(0);
    client::Result<client::Subscribed> subscribed = client_->subscribe(session_id, std::move(wire)).get();
    if (subscribed.ok()) *out = std::make_unique<RemoteSource>(*client_, std::move(subscribed.value.events));
    return subscribed.status;
  }

  void close(const std::vector<std::string>& sessions) override {
    // All at once: each close waits for its worker to shut down.
    std::vector<std::future<client::Result<client::SessionClosed>>> closing;
    closing.reserve(sessions.size());
    for (const std::string& id : sessions) closing.push_back(client_->close_session(id));
    for (auto& closed : closing) closed.wait();
    client_->close();
  }

 private:
  const std::unique_ptr<client::GatewayClient> client_;
};

}  // namespace

std::unique_ptr<Connection> open_remote(const std::string& address, const mxgw_client_options& options, Status* error) {
  client::ClientOptions client_options;
  client_options.api_key = options.api_key ? options.api_key : "";
  client_options.client_name = options.client_name;
  client_options.connect_timeout_ms = options.connect_timeout_ms;
  client_options.request_timeout_ms = options.request_timeout_ms;
  client_options.event_ring_frames = options.subscription_ring;
  std::unique_ptr<client::GatewayClient> client = client::GatewayClient::connect(address, client_options, error);
  if (!client) return nullptr;
  return std::make_unique<RemoteConnection>(std::move(client));
}

}  // namespace mxgw::capi
