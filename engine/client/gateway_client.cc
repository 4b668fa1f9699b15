// GatewayClient: connect, and one thin method pair per request. The work happens in
// ClientCore (the thread) and GatewayConnection (the protocol).

#include "engine/client/gateway_client.h"

#include <chrono>
#include <utility>

#include "engine/client/client_address.h"
#include "engine/client/client_core.h"
#include "engine/client/client_messages.h"
#include "engine/client/pending_request.h"

namespace mxgw::client {
namespace {

// A future and the completion that fulfils it.
template <typename T>
std::pair<std::future<Result<T>>, Completion<T>> future_completion() {
  std::promise<Result<T>> promise;
  std::future<Result<T>> future = promise.get_future();
  return {std::move(future), Completion<T>(std::move(promise))};
}

template <typename T>
std::unique_ptr<PendingRequest> pending(proto::ClientMessage expected, Completion<T>&& done) {
  return std::make_unique<Pending<T>>(expected, std::move(done));
}

}  // namespace

std::unique_ptr<GatewayClient> GatewayClient::connect(const std::string& address, const Options& options,
                                                      Status* error) {
  ClientAddress parsed;
  if (Status status = parse_client_address(address, &parsed); !status.is_ok()) {
    *error = std::move(status);
    return nullptr;
  }
  auto core = std::make_shared<ClientCore>(parsed, options);
  std::future<Result<ServerInfo>> hello = core->start();
  // The I/O thread answers by the connect deadline itself; this wait is bounded too,
  // in case it could not (stop() then fails the handshake).
  if (hello.wait_for(std::chrono::milliseconds(options.connect_timeout_ms) + std::chrono::seconds(5)) !=
      std::future_status::ready) {
    core->stop();
  }
  Result<ServerInfo> answer = hello.get();
  if (!answer.ok()) {
    core->stop();
    *error = std::move(answer.status);
    return nullptr;
  }
  *error = {};
  return std::unique_ptr<GatewayClient>(
      new GatewayClient(std::move(core), std::move(answer.value), parsed.to_string()));
}

GatewayClient::GatewayClient(std::shared_ptr<ClientCore> core, ServerInfo server, std::string address)
    : core_(std::move(core)), server_(std::move(server)), address_(std::move(address)) {}

GatewayClient::~GatewayClient() { close(); }

void GatewayClient::close() { core_->stop(); }

bool GatewayClient::is_connected() const { return core_->shared().is_open(); }
Status GatewayClient::connection_error() const { return core_->shared().connection_error(); }
Status GatewayClient::closed_status() const {
  return core_->shared().is_open() ? Status{} : core_->shared().closed_status();
}
ClientStats GatewayClient::stats() const { return core_->shared().stats(); }

template <typename Build>
void GatewayClient::submit(std::unique_ptr<PendingRequest> pending, Build&& build, uint64_t detach_subscription_id) {
  ClientShared& shared = core_->shared();
  if (!shared.is_open()) {
    pending->fail(shared.closed_status());
    return;
  }
  Op op;
  op.kind = Op::Kind::Request;
  op.request_id = shared.take_request_id();
  op.detach_subscription_id = detach_subscription_id;
  op.payload = build(op.request_id);
  op.pending = std::move(pending);
  if (!core_->post(op)) op.pending->fail({ErrorCode::ShuttingDown, "the client was closed"});
}

// ---- requests ---------------------------------------------------------------------

void GatewayClient::start_open_session(const OpenSessionRequest& request, Completion<OpenedSession>&& done) {
  submit(pending(proto::ClientMessage::SessionOpened, std::move(done)),
         [&](uint64_t id) { return build_open_session(id, request); });
}

void GatewayClient::start_invoke(const std::string& session_id, const proto::CommandT& command,
                                 Completion<InvokeAnswer>&& done) {
  if (Status status = check_command(command); !status.is_ok()) {
    done.fail(status);
    return;
  }
  submit(pending(proto::ClientMessage::InvokeResult, std::move(done)),
         [&](uint64_t id) { return build_invoke(id, session_id, command); });
}

void GatewayClient::start_subscribe(const std::string& session_id, SubscribeOptions&& options,
                                    Completion<Subscribed>&& done) {
  // The request carries only the scalars; on_ready travels with the pending request.
  // The ring size is settled here: the gateway is granted that many frames of credit.
  if (options.ring_frames == 0) options.ring_frames = core_->options().event_ring_frames;
  SubscribeOptions wire;
  wire.policy = options.policy;
  wire.resume = options.resume;
  wire.resume_from_seq = options.resume_from_seq;
  wire.ring_frames = options.ring_frames;
  submit(std::make_unique<PendingSubscribe>(std::move(options), std::move(done)),
         [&](uint64_t id) { return build_subscribe(id, session_id, wire); });
}

void GatewayClient::start_unsubscribe(uint64_t subscription_id, Completion<Done>&& done) {
  submit(
      pending(proto::ClientMessage::Unsubscribed, std::move(done)),
      [&](uint64_t id) { return build_unsubscribe(id, subscription_id); }, subscription_id);
}

void GatewayClient::start_renew_lease(const std::string& session_id, Completion<LeaseRenewed>&& done) {
  submit(pending(proto::ClientMessage::LeaseRenewed, std::move(done)),
         [&](uint64_t id) { return build_renew_lease(id, session_id); });
}

void GatewayClient::start_close_session(const std::string& session_id, Completion<SessionClosed>&& done) {
  submit(pending(proto::ClientMessage::SessionClosed, std::move(done)),
         [&](uint64_t id) { return build_close_session(id, session_id); });
}

void GatewayClient::start_list_sessions(Completion<SessionList>&& done) {
  submit(pending(proto::ClientMessage::SessionList, std::move(done)),
         [](uint64_t id) { return build_list_sessions(id); });
}

void GatewayClient::start_kill_session(const std::string& session_id, const std::string& reason,
                                       Completion<Done>&& done) {
  submit(pending(proto::ClientMessage::SessionKilled, std::move(done)),
         [&](uint64_t id) { return build_kill_session(id, session_id, reason); });
}

// ---- the public pairs: a future, or a callback ----------------------------------------

std::future<Result<OpenedSession>> GatewayClient::open_session(const OpenSessionRequest& request) {
  auto [future, done] = future_completion<OpenedSession>();
  start_open_session(request, std::move(done));
  return std::move(future);
}
void GatewayClient::open_session(const OpenSessionRequest& request, Callback<OpenedSession> done) {
  start_open_session(request, Completion<OpenedSession>(std::move(done)));
}

std::future<Result<InvokeAnswer>> GatewayClient::invoke(const std::string& session_id, const proto::CommandT& command) {
  auto [future, done] = future_completion<InvokeAnswer>();
  start_invoke(session_id, command, std::move(done));
  return std::move(future);
}
void GatewayClient::invoke(const std::string& session_id, const proto::CommandT& command, Callback<InvokeAnswer> done) {
  start_invoke(session_id, command, Completion<InvokeAnswer>(std::move(done)));
}

std::future<Result<Subscribed>> GatewayClient::subscribe(const std::string& session_id, SubscribeOptions options) {
  auto [future, done] = future_completion<Subscribed>();
  start_subscribe(session_id, std::move(options), std::move(done));
  return std::move(future);
}
void GatewayClient::subscribe(const std::string& session_id, SubscribeOptions options, Callback<Subscribed> done) {
  start_subscribe(session_id, std::move(options), Completion<Subscribed>(std::move(done)));
}

std::future<Result<Done>> GatewayClient::unsubscribe(uint64_t subscription_id) {
  auto [future, done] = future_completion<Done>();
  start_unsubscribe(subscription_id, std::move(done));
  return std::move(future);
}
void GatewayClient::unsubscribe(uint64_t subscription_id, Callback<Done> done) {
  start_unsubscribe(subscription_id, Completion<Done>(std::move(done)));
}

std::future<Result<LeaseRenewed>> GatewayClient::renew_lease(const std::string& session_id) {
  auto [future, done] = future_completion<LeaseRenewed>();
  start_renew_lease(session_id, std::move(done));
  return std::move(future);
}
void GatewayClient::renew_lease(const std::string& session_id, Callback<LeaseRenewed> done) {
  start_renew_lease(session_id, Completion<LeaseRenewed>(std::move(done)));
}

std::future<Result<SessionClosed>> GatewayClient::close_session(const std::string& session_id) {
  auto [future, done] = future_completion<SessionClosed>();
  start_close_session(session_id, std::move(done));
  return std::move(future);
}
void GatewayClient::close_session(const std::string& session_id, Callback<SessionClosed> done) {
  start_close_session(session_id, Completion<SessionClosed>(std::move(done)));
}

std::future<Result<SessionList>> GatewayClient::list_sessions() {
  auto [future, done] = future_completion<SessionList>();
  start_list_sessions(std::move(done));
  return std::move(future);
}
void GatewayClient::list_sessions(Callback<SessionList> done) {
  start_list_sessions(Completion<SessionList>(std::move(done)));
}

std::future<Result<Done>> GatewayClient::kill_session(const std::string& session_id, const std::string& reason) {
  auto [future, done] = future_completion<Done>();
  start_kill_session(session_id, reason, std::move(done));
  return std::move(future);
}
void GatewayClient::kill_session(const std::string& session_id, const std::string& reason, Callback<Done> done) {
  start_kill_session(session_id, reason, Completion<Done>(std::move(done)));
}

}  // namespace mxgw::client
