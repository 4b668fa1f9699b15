// The fake gateway's loop thread, connections and request handling.

#include "tests/client/fake_gateway.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <string>
#include <utility>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/payload_builder.h>

namespace mxgw::client::testing {
namespace {

namespace p = proto;

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A ClientFrame answering `request_id` with `body` of `type`.
template <typename Body>
transport::SharedBytes answer(transport::PayloadBuilder& builder, uint64_t request_id, p::ClientMessage type,
                              flatbuffers::Offset<Body> body) {
  auto frame = p::CreateClientFrame(builder.fbb(), request_id, type, body.Union());
  return builder.finish(frame, p::ClientFrameIdentifier());
}

transport::SharedBytes error_frame(uint64_t request_id, ErrorCode code, const std::string& message) {
  transport::PayloadBuilder builder;
  auto body = p::CreateErrorDirect(builder.fbb(), code, message.c_str());
  return answer(builder, request_id, p::ClientMessage::Error, body);
}

transport::SharedBytes numeric_batch(uint64_t first_seq, uint32_t count) {
  transport::PayloadBuilder builder(64 + count * sizeof(p::DataChange));
  auto& fbb = builder.fbb();
  p::DataChange* changes = nullptr;
  auto vector = fbb.CreateUninitializedVectorOfStructs(count, &changes);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t seq = first_seq + i;
    changes[i] = p::DataChange(1, static_cast<int32_t>(seq % 1000), 0xC0u, p::MxDataType::Double, 0,
                               static_cast<int64_t>(seq), static_cast<double>(seq));
  }
  p::EventBatchBuilder batch(fbb);
  batch.add_worker_time_ns(now_ns());
  batch.add_changes(vector);
  return builder.finish(batch.Finish(), p::EventBatchIdentifier());
}

transport::SharedBytes session_end_batch(const std::string& reason) {
  transport::PayloadBuilder builder;
  auto& fbb = builder.fbb();
  auto state = p::CreateSessionStateEventDirect(fbb, 0, p::SessionState::Closed, reason.c_str());
  std::vector<flatbuffers::Offset<p::SessionStateEvent>> states{state};
  auto vector = fbb.CreateVector(states);
  p::EventBatchBuilder batch(fbb);
  batch.add_worker_time_ns(now_ns());
  batch.add_session_states(vector);
  return builder.finish(batch.Finish(), p::EventBatchIdentifier());
}

}  // namespace

struct FakeGateway::Connection : transport::StreamEndpoint::Handler {
  struct Subscription {
    std::string session_id;
    uint64_t next_seq = 0;
    uint64_t remaining = 0;  // events still to stream
    uint32_t per_frame = 64;
  };

  FakeGateway* gateway = nullptr;
  transport::StreamEndpoint* endpoint = nullptr;
  bool greeted = false;
  p::Role role = p::Role::Client;
  std::string key;
  std::vector<transport::SharedBytes> answers;  // this burst's, sent in reverse
  std::map<uint64_t, Subscription> subscriptions;

  void send_events(uint64_t subscription_id, Subscription& sub, transport::SharedBytes batch, uint32_t count,
                   uint32_t flags) {
    const p::ClientEventPrefix prefix(subscription_id, sub.next_seq, count, flags, now_ns());
    endpoint->send(transport::FrameKind::ClientEvents, std::move(batch),
                   {reinterpret_cast<const std::byte*>(&prefix), sizeof prefix});
    sub.next_seq += count;
  }

  void pump() {
    for (auto& [id, sub] : subscriptions) {
      while (endpoint && !endpoint->is_blocked() && !endpoint->is_closing() && sub.remaining > 0) {
        const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(sub.per_frame, sub.remaining));
        send_events(id, sub, numeric_batch(sub.next_seq, count), count, 0);
        sub.remaining -= count;
        gateway->events_sent_.fetch_add(count, std::memory_order_release);
      }
    }
  }

  void queue_answer(transport::SharedBytes bytes) {
    answers.push_back(std::move(bytes));
    gateway->schedule_flush();
  }

  void flush_answers() {
    if (!endpoint) return;
    for (auto it = answers.rbegin(); it != answers.rend(); ++it) {
      endpoint->send(transport::FrameKind::ClientControl, std::move(*it));
    }
    answers.clear();
  }

  void on_frame(transport::StreamEndpoint&, transport::Frame&& frame) override {
    if (frame.kind != transport::FrameKind::ClientControl) return;
    gateway->requests_.fetch_add(1, std::memory_order_release);
    handle(*transport::client_frame(frame.payload));
  }

  void handle(const p::ClientFrame& frame);
  void on_stream_error(transport::StreamEndpoint&, const Status&) override {}
  void on_backpressure(transport::StreamEndpoint&, bool blocked) override {
    if (!blocked) pump();
  }
  void on_closed(transport::StreamEndpoint&) override {
    endpoint = nullptr;
    answers.clear();
  }
};

void FakeGateway::Connection::handle(const p::ClientFrame& frame) {
  const uint64_t id = frame.request_id();
  transport::PayloadBuilder builder;
  auto& fbb = builder.fbb();
  if (!greeted) {
    const auto* hello = frame.message_as_Hello();
    if (!hello) {
      endpoint->send(transport::FrameKind::ClientControl, error_frame(id, ErrorCode::OutOfOrder, "Hello first"));
      endpoint->close();
      return;
    }
    if (!gateway->config_.answer_hello) return;
    key = str(hello->api_key());
    if (key != kClientKey && key != kAdminKey) {
      endpoint->send(transport::FrameKind::ClientControl,
                     error_frame(id, ErrorCode::Unauthenticated, "unknown API key '" + key + "'"));
      endpoint->close();
      return;
    }
    greeted = true;
    role = key == kAdminKey ? p::Role::Admin : p::Role::Client;
    queue_answer(answer(builder, id, p::ClientMessage::HelloAccepted,
                        p::CreateHelloAcceptedDirect(fbb, transport::kProtocolVersion, "fake-gateway 1.0", role,
                                                     gateway->config_.max_frame_bytes)));
    return;
  }
  auto& sessions = gateway->sessions_;
  auto not_found = [&](const std::string& session_id) {
    queue_answer(error_frame(id, ErrorCode::NotFound, "no session " + session_id));
  };
  switch (frame.message_type()) {
    case p::ClientMessage::OpenSession: {
      const auto* open = frame.message_as_OpenSession();
      Session session;
      session.id = "session-" + std::to_string(gateway->next_session_++);
      const std::string name = str(open->client_session_name());
      session.correlation_id = (name.empty() ? std::string("client") : name) + "-" + session.id;
      session.backend = str(open->backend()).empty() ? "sim" : str(open->backend());
      session.owner = key;
      const int32_t timeout = open->command_timeout_ms() > 0 ? open->command_timeout_ms() : 5000;
      queue_answer(answer(builder, id, p::ClientMessage::SessionOpened,
                          p::CreateSessionOpenedDirect(fbb, session.id.c_str(), session.correlation_id.c_str(),
                                                       session.backend.c_str(), timeout, 30'000)));
      sessions.emplace(session.id, session);
      return;
    }
    case p::ClientMessage::Invoke: {
      const auto* invoke = frame.message_as_Invoke();
      const std::string session_id = str(invoke->session_id());
      if (!sessions.count(session_id)) return not_found(session_id);
      const auto* command = invoke->command();
      flatbuffers::Offset<p::Reply> reply;
      if (const auto* reg = command->body_as_Register()) {
        const std::string name = str(reg->client_name());
        if (name == "hang") {
          gateway->held_invokes_.fetch_add(1, std::memory_order_release);
          return;
        }
        if (name == "drop") {
          endpoint->abort();
          return;
        }
        auto body = p::CreateServerHandleReply(fbb, 1);
        reply = p::CreateReply(fbb, command->correlation_id(), p::CommandError::None, nullptr, 0,
                               p::ReplyBody::ServerHandleReply, body.Union());
      } else if (const auto* add = command->body_as_AddItem()) {
        auto body = p::CreateItemHandleReply(fbb, std::stoi(str(add->item_def())));
        reply = p::CreateReply(fbb, command->correlation_id(), p::CommandError::None, nullptr, 0,
                               p::ReplyBody::ItemHandleReply, body.Union());
      } else if (command->body_type() == p::CommandBody::Write) {
        reply = p::CreateReply(fbb, command->correlation_id(), p::CommandError::NotAdvised, nullptr,
                               fbb.CreateString("Advise the item before writing to it"));
      } else {
        reply = p::CreateReply(fbb, command->correlation_id(), p::CommandError::None, nullptr, 0,
                               p::ReplyBody::EmptyReply, p::CreateEmptyReply(fbb).Union());
      }
      queue_answer(answer(builder, id, p::ClientMessage::InvokeResult,
                          p::CreateInvokeResult(fbb, fbb.CreateString(session_id), reply)));
      return;
    }
    case p::ClientMessage::Subscribe: {
      const auto* subscribe = frame.message_as_Subscribe();
      const std::string session_id = str(subscribe->session_id());
      if (!sessions.count(session_id)) return not_found(session_id);
      const uint64_t subscription_id = gateway->next_subscription_++;
      Subscription& sub = subscriptions[subscription_id];
      sub.session_id = session_id;
      sub.next_seq = subscribe->resume() ? subscribe->resume_from_seq() : 0;
      queue_answer(answer(builder, id, p::ClientMessage::Subscribed,
                          p::CreateSubscribedDirect(fbb, session_id.c_str(), subscription_id, sub.next_seq)));
      return;
    }
    case p::ClientMessage::Unsubscribe: {
      const uint64_t subscription_id = frame.message_as_Unsubscribe()->subscription_id();
      if (!subscriptions.erase(subscription_id)) {
        queue_answer(error_frame(id, ErrorCode::NotFound, "no subscription " + std::to_string(subscription_id)));
        return;
      }
      queue_answer(answer(builder, id, p::ClientMessage::Unsubscribed, p::CreateUnsubscribed(fbb, subscription_id)));
      return;
    }
    case p::ClientMessage::RenewLease: {
      const std::string session_id = str(frame.message_as_RenewLease()->session_id());
      if (!sessions.count(session_id)) return not_found(session_id);
      queue_answer(answer(builder, id, p::ClientMessage::LeaseRenewed,
                          p::CreateLeaseRenewedDirect(fbb, session_id.c_str(), 30'000)));
      return;
    }
    case p::ClientMessage::CloseSession: {
      const std::string session_id = str(frame.message_as_CloseSession()->session_id());
      const bool known = sessions.count(session_id) != 0;
      if (known) gateway->end_session(session_id, "client-close");
      queue_answer(answer(builder, id, p::ClientMessage::SessionClosed,
                          p::CreateSessionClosedDirect(fbb, session_id.c_str(), !known)));
      return;
    }
    case p::ClientMessage::ListSessions: {
      std::vector<flatbuffers::Offset<p::SessionInfo>> infos;
      for (const auto& [sid, session] : sessions) {
        if (role != p::Role::Admin && session.owner != key) continue;
        infos.push_back(p::CreateSessionInfoDirect(fbb, sid.c_str(), session.correlation_id.c_str(),
                                                   session.backend.c_str(), p::SessionState::Ready,
                                                   session.owner.c_str(), 0, 4242));
      }
      queue_answer(answer(builder, id, p::ClientMessage::SessionList, p::CreateSessionListDirect(fbb, &infos)));
      return;
    }
    case p::ClientMessage::KillSession: {
      const auto* kill = frame.message_as_KillSession();
      const std::string session_id = str(kill->session_id());
      if (role != p::Role::Admin) {
        queue_answer(error_frame(id, ErrorCode::PermissionDenied, "killing sessions needs an admin key"));
        return;
      }
      if (!sessions.count(session_id)) return not_found(session_id);
      gateway->end_session(session_id, str(kill->reason()));
      queue_answer(
          answer(builder, id, p::ClientMessage::SessionKilled, p::CreateSessionKilledDirect(fbb, session_id.c_str())));
      return;
    }
    case p::ClientMessage::GrantCredit:
      // This gateway sends as the socket takes, whatever the credit: the client's
      // own backpressure (a held frame, reading paused) is what it tests.
      return;
    default:
      queue_answer(error_frame(id, ErrorCode::UnknownMessage, "not a request"));
      return;
  }
}

// ---- the gateway --------------------------------------------------------------------

FakeGateway::FakeGateway(Config config) : config_(std::move(config)) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &wake_, [](uv_async_t* async) { static_cast<FakeGateway*>(async->data)->drain_tasks(); });
  wake_.data = this;
  uv_check_init(&loop_, &flush_check_);
  flush_check_.data = this;
  Status status;
  auto accept = [this](transport::StreamEndpoint* endpoint) { on_accept(endpoint); };
  if (config_.tcp) {
    listener_ = transport::Listener::listen_tcp(&loop_, "127.0.0.1", 0, config_.stream, accept, &status);
    if (listener_) port_ = listener_->bound_port();
  } else {
    static std::atomic<int> counter{0};
    const std::string path =
        "/tmp/mxgw-client-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + ".sock";
    listener_ = transport::Listener::listen_unix(&loop_, path, config_.stream, accept, &status);
  }
  if (listener_) address_ = listener_->address();
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
}

FakeGateway::~FakeGateway() {
  run([this] {
    if (listener_) listener_->close();
    for (auto& connection : live_) {
      if (connection->endpoint) connection->endpoint->abort();
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
  });
  thread_.join();
  uv_loop_close(&loop_);
}

void FakeGateway::run(std::function<void()> task) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks_.push_back([&] {
      task();
      done.set_value();
    });
  }
  uv_async_send(&wake_);
  finished.wait();
}

void FakeGateway::drain_tasks() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) task();
}

void FakeGateway::schedule_flush() {
  uv_check_start(&flush_check_, [](uv_check_t* check) {
    auto* self = static_cast<FakeGateway*>(check->data);
    uv_check_stop(check);
    for (auto& connection : self->live_) connection->flush_answers();
  });
}

void FakeGateway::on_accept(transport::StreamEndpoint* endpoint) {
  auto connection = std::make_unique<Connection>();
  connection->gateway = this;
  connection->endpoint = endpoint;
  endpoint->start(connection.get());
  live_.push_back(std::move(connection));
  connections_.fetch_add(1, std::memory_order_release);
}

void FakeGateway::end_session(const std::string& session_id, const std::string& reason) {
  sessions_.erase(session_id);
  for (auto& connection : live_) {
    auto& subs = connection->subscriptions;
    for (auto it = subs.begin(); it != subs.end();) {
      if (it->second.session_id != session_id) {
        ++it;
        continue;
      }
      if (connection->endpoint) {
        connection->send_events(it->first, it->second, session_end_batch(reason), 1,
                                static_cast<uint32_t>(p::ClientEventFlags::GatewayGenerated));
      }
      it = subs.erase(it);
    }
  }
}

void FakeGateway::stream_events(uint64_t subscription_id, uint64_t events, uint32_t per_frame) {
  run([&] {
    for (auto& connection : live_) {
      auto found = connection->subscriptions.find(subscription_id);
      if (found == connection->subscriptions.end()) continue;
      found->second.remaining += events;
      found->second.per_frame = per_frame;
      connection->pump();
    }
  });
}

void FakeGateway::send_connection_error(ErrorCode code, const std::string& message) {
  run([&] {
    for (auto& connection : live_) {
      if (!connection->endpoint) continue;
      connection->flush_answers();
      connection->endpoint->send(transport::FrameKind::ClientControl, error_frame(0, code, message));
      connection->endpoint->close();
    }
  });
}

void FakeGateway::drop_connections() {
  run([&] {
    for (auto& connection : live_) {
      if (connection->endpoint) connection->endpoint->abort();
    }
  });
}

}  // namespace mxgw::client::testing
