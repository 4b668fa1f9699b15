// The client protocol on one connection.

#include "engine/gateway/client_connection.h"

#include <algorithm>

#include <mxgw/transport/frame_verifier.h>

#include "engine/gateway/client_replies.h"

namespace mxgw::gateway {
namespace {

// The lambdas of one std::visit, as one overload set.
template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// Clang 14 does not yet deduce an aggregate's template arguments by itself.
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

ClientConnection::ClientConnection(ConnectionHost& host, uint32_t shard, uint64_t id,
                                   transport::StreamEndpoint* endpoint)
    : host_(host), shard_(shard), id_(id), endpoint_(endpoint) {}

ClientConnection::~ClientConnection() {
  for (auto& [id, s] : subscriptions_) host_.manager.unsubscribe(s.session_id, id);
  hold_leases(false);
}

void ClientConnection::start() { endpoint_->start(this); }

void ClientConnection::reply(transport::SharedBytes payload) {
  if (closing_) return;
  count_out(payload.size());
  endpoint_->send(transport::FrameKind::ClientControl, std::move(payload));
  if (endpoint_->queued_control_bytes() > host_.max_queued_answer_bytes) update_reading();
}

void ClientConnection::count_out(size_t payload_bytes) {
  host_.traffic->frames_out.fetch_add(1, std::memory_order_relaxed);
  host_.traffic->bytes_out.fetch_add(payload_bytes, std::memory_order_relaxed);
}

void ClientConnection::fail(uint64_t request_id, const Status& status) {
  reply(error_frame(builder_, request_id, status));
}

// ---- incoming ---------------------------------------------------------------

void ClientConnection::on_frame(transport::StreamEndpoint&, transport::Frame&& frame) {
  if (frame.kind != transport::FrameKind::ClientControl) {
    fail(0, {ErrorCode::UnknownMessage,
             "clients send ClientControl frames, not " + std::string(transport::frame_kind_name(frame.kind))});
    endpoint_->close();
    return;
  }
  host_.traffic->frames_in.fetch_add(1, std::memory_order_relaxed);
  host_.traffic->bytes_in.fetch_add(frame.payload.size(), std::memory_order_relaxed);
  const proto::ClientFrame* message = transport::client_frame(frame.payload);
  handle(message->request_id(), read_request(*message));
}

void ClientConnection::on_stream_error(transport::StreamEndpoint&, const Status& why) {
  // The stream cannot be trusted any more: say why (if anyone listens) and close.
  if (!why.is_ok()) fail(0, why);
}

void ClientConnection::on_backpressure(transport::StreamEndpoint&, bool blocked) {
  update_reading();
  if (!blocked) drain();
}

void ClientConnection::update_reading() {
  if (requests_in_flight_ >= kMaxRequestsInFlight ||
      endpoint_->queued_control_bytes() > host_.max_queued_answer_bytes) {
    endpoint_->pause_reading();
    hold_leases(true);
  } else {
    hold_leases(false);
    endpoint_->resume_reading();  // delivers what was read meanwhile first
  }
}

void ClientConnection::hold_leases(bool hold) {
  if (hold == leases_held_ || !caller_) return;
  leases_held_ = hold;
  for (const std::string& session_id : leased_sessions_) host_.manager.hold_lease(*caller_, session_id, hold);
}

void ClientConnection::track_lease(const std::string& session_id) {
  if (leased_sessions_.insert(session_id).second && leases_held_) {
    host_.manager.hold_lease(*caller_, session_id, true);
  }
}

void ClientConnection::untrack_lease(const std::string& session_id) {
  if (leased_sessions_.erase(session_id) != 0 && leases_held_) {
    host_.manager.hold_lease(*caller_, session_id, false);
  }
}

void ClientConnection::on_closed(transport::StreamEndpoint&) {
  closing_ = true;
  host_.forget(shard_, id_);  // destroys this
}

void ClientConnection::handle(uint64_t request_id, ClientRequest request) {
  if (!caller_) {
    if (const auto* hello = std::get_if<HelloRequest>(&request)) return this->hello(request_id, *hello);
    fail(request_id, {ErrorCode::OutOfOrder, "the first request on a connection must be Hello"});
    endpoint_->close();
    return;
  }
  const engine::Caller& caller = *caller_;
  engine::SessionManager& manager = host_.manager;
  std::visit(
      Overloaded{
          [&](const Status& refused) { fail(request_id, refused); },
          [&](const HelloRequest&) {
            fail(request_id, {ErrorCode::OutOfOrder, "this connection has already said Hello"});
          },
          [&](engine::OpenRequest& r) {
            manager.open(caller, std::move(r),
                         [this_shard = answer_fn(), request_id](const Status& s, const engine::SessionInfo& info) {
                           this_shard([=](ClientConnection& c) {
                             if (s.is_ok()) c.track_lease(info.session_id);
                             c.reply(s.is_ok() ? session_opened_frame(c.builder_, request_id, info)
                                               : error_frame(c.builder_, request_id, s));
                           });
                         });
          },
          [&](InvokeRequest& r) {
            manager.invoke(
                caller, r.session_id, std::move(r.command),
                [this_shard = answer_fn(), request_id, session_id = r.session_id](engine::CommandResult result) {
                  this_shard([=](ClientConnection& c) {
                    c.reply(result.status.is_ok()
                                ? invoke_result_frame(c.builder_, request_id, session_id, result.reply_frame)
                                : error_frame(c.builder_, request_id, result.status));
                  });
                });
          },
          [&](SubscribeRequest& r) { subscribe(request_id, std::move(r)); },
          [&](const UnsubscribeRequest& r) { unsubscribe(request_id, r.subscription_id); },
          [&](const GrantCreditRequest& r) { grant_credit(r.subscription_id, r.frames); },
          [&](const RenewLeaseRequest& r) {
            const uint64_t lease_ms = manager.config().lease_ms;
            manager.renew_lease(
                caller, r.session_id,
                [this_shard = answer_fn(), request_id, session_id = r.session_id, lease_ms](const Status& s) {
                  this_shard([=](ClientConnection& c) {
                    if (s.is_ok()) c.track_lease(session_id);
                    c.reply(s.is_ok() ? lease_renewed_frame(c.builder_, request_id, session_id, lease_ms)
                                      : error_frame(c.builder_, request_id, s));
                  });
                });
          },
          [&](const CloseSessionRequest& r) {
            manager.close(
                caller, r.session_id,
                [this_shard = answer_fn(), request_id, session_id = r.session_id](const Status& s, bool already) {
                  this_shard([=](ClientConnection& c) {
                    if (s.is_ok()) c.untrack_lease(session_id);
                    c.reply(s.is_ok() ? session_closed_frame(c.builder_, request_id, session_id, already)
                                      : error_frame(c.builder_, request_id, s));
                  });
                });
          },
          [&](const ListSessionsRequest&) {
            manager.list(caller, [this_shard = answer_fn(), request_id](std::vector<engine::SessionInfo> sessions) {
              this_shard([request_id, sessions = std::move(sessions)](ClientConnection& c) {
                c.reply(session_list_frame(c.builder_, request_id, sessions));
              });
            });
          },
          [&](const KillSessionRequest& r) {
            if (!caller.admin)
              return fail(request_id, {ErrorCode::PermissionDenied, "only an admin key may kill sessions"});
            manager.kill(caller, r.session_id, r.reason,
                         [this_shard = answer_fn(), request_id, session_id = r.session_id](const Status& s) {
                           this_shard([=](ClientConnection& c) {
                             c.reply(s.is_ok() ? session_killed_frame(c.builder_, request_id, session_id)
                                               : error_frame(c.builder_, request_id, s));
                           });
                         });
          },
      },
      request);
}

std::function<void(std::function<void(ClientConnection&)>)> ClientConnection::later_fn() {
  return [&host = host_, shard = shard_, id = id_](std::function<void(ClientConnection&)> task) {
    host.with_connection(shard, id, std::move(task));
  };
}

std::function<void(std::function<void(ClientConnection&)>)> ClientConnection::answer_fn() {
  if (++requests_in_flight_ >= kMaxRequestsInFlight) update_reading();
  return [later = later_fn()](std::function<void(ClientConnection&)> task) {
    later([task = std::move(task)](ClientConnection& c) {
      --c.requests_in_flight_;
      task(c);
      c.update_reading();
    });
  };
}

void ClientConnection::hello(uint64_t request_id, const HelloRequest& hello) {
  if (hello.protocol_version != transport::kProtocolVersion) {
    fail(request_id,
         {ErrorCode::ProtocolVersionMismatch, "client speaks protocol " + std::to_string(hello.protocol_version) +
                                                  ", the gateway " + std::to_string(transport::kProtocolVersion)});
    endpoint_->close();
    return;
  }
  std::optional<engine::Caller> caller = host_.authenticate(hello.api_key);
  if (!caller) {
    fail(request_id, {ErrorCode::Unauthenticated, "no valid API key"});
    endpoint_->close();
    return;
  }
  caller_ = std::move(caller);
  reply(hello_accepted_frame(builder_, request_id, caller_->admin ? proto::Role::Admin : proto::Role::Client,
                             host_.max_frame_bytes));
}

// ---- subscriptions ----------------------------------------------------------

std::function<void()> ClientConnection::waker() {
  return [wake = wake_, this_shard = later_fn()] {
    if (!wake->exchange(true, std::memory_order_acq_rel)) this_shard([](ClientConnection& c) { c.drain(); });
  };
}

void ClientConnection::subscribe(uint64_t request_id, SubscribeRequest request) {
  const std::string& session_id = request.session_id;
  std::optional<uint64_t> credit;
  if (request.credit_frames != 0) credit = request.credit_frames;
  host_.manager.subscribe(
      *caller_, session_id, std::move(request.options), waker(),
      [this_shard = answer_fn(), request_id, session_id, credit](const Status& s,
                                                                 std::shared_ptr<engine::Subscription> sub) {
        this_shard([=](ClientConnection& c) {
          if (!s.is_ok()) return c.fail(request_id, s);
          c.track_lease(session_id);
          c.subscriptions_[sub->id()] = {sub, session_id, credit};
          c.reply(subscribed_frame(c.builder_, request_id, session_id, sub->id(), sub->start_seq()));
          c.drain();
        });
      });
}

void ClientConnection::unsubscribe(uint64_t request_id, uint64_t subscription_id) {
  const auto found = subscriptions_.find(subscription_id);
  if (found == subscriptions_.end()) {
    return fail(request_id, {ErrorCode::NotFound, "no subscription " + std::to_string(subscription_id) + " here"});
  }
  host_.manager.unsubscribe(found->second.session_id, subscription_id);
  subscriptions_.erase(found);
  reply(unsubscribed_frame(builder_, request_id, subscription_id));
}

void ClientConnection::grant_credit(uint64_t subscription_id, uint32_t frames) {
  // Credit for a subscription that ended meanwhile, or one without flow control of
  // its own, has nothing to open.
  const auto found = subscriptions_.find(subscription_id);
  if (found == subscriptions_.end() || !found->second.credit) return;
  *found->second.credit += frames;
  drain();
}

void ClientConnection::drain() {
  wake_->exchange(false, std::memory_order_acq_rel);
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    engine::Subscription& subscription = *it->second.subscription;
    std::optional<uint64_t>& credit = it->second.credit;
    while (!endpoint_->is_blocked() && !closing_) {
      const size_t budget = credit ? std::min<uint64_t>(*credit, 64) : 64;
      if (budget == 0) break;
      const size_t sent = subscription.poll(budget, [&](const engine::Delivery& d) {
        const proto::ClientEventPrefix prefix(subscription.id(), d.first_seq, d.count, d.flags, d.gateway_time_ns);
        count_out(sizeof prefix + d.batch.size());
        endpoint_->send(transport::FrameKind::ClientEvents, d.batch,
                        {reinterpret_cast<const std::byte*>(&prefix), sizeof prefix});
      });
      if (credit) *credit -= sent;
      if (sent == 0) break;
    }
    if (subscription.disconnected()) {
      // The disconnect policy: this client fell too far behind.
      fail(0, {ErrorCode::SlowConsumer, "subscription " + std::to_string(subscription.id()) + " to " +
                                            it->second.session_id + " fell too far behind"});
      endpoint_->close();
      closing_ = true;
      return;
    }
    it = subscription.ended() ? subscriptions_.erase(it) : std::next(it);
  }
}

}  // namespace mxgw::gateway
