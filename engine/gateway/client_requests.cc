// Client requests as values.

#include "engine/gateway/client_requests.h"

namespace mxgw::gateway {
namespace {

std::string text(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

engine::OpenRequest open_request(const proto::OpenSession& open) {
  engine::OpenRequest request{text(open.client_session_name()), text(open.backend()), open.command_timeout_ms(), {}};
  if (open.backend_options()) {
    for (const proto::KeyValue* pair : *open.backend_options()) {
      request.backend_options.emplace_back(pair->key()->str(), pair->value()->str());
    }
  }
  return request;
}

SubscribeRequest subscribe_request(const proto::Subscribe& subscribe) {
  SubscribeRequest request{text(subscribe.session_id()), {}, subscribe.credit_frames()};
  request.options.policy = subscribe.policy();
  if (subscribe.resume()) request.options.resume_from = subscribe.resume_from_seq();
  return request;
}

}  // namespace

ClientRequest read_request(const proto::ClientFrame& frame) {
  using proto::ClientMessage;
  switch (frame.message_type()) {
    case ClientMessage::Hello: {
      const auto* hello = frame.message_as_Hello();
      return HelloRequest{hello->protocol_version(), text(hello->api_key())};
    }
    case ClientMessage::OpenSession:
      return open_request(*frame.message_as_OpenSession());
    case ClientMessage::Invoke: {
      const auto* invoke = frame.message_as_Invoke();
      InvokeRequest request{text(invoke->session_id()), {}};
      invoke->command()->UnPackTo(&request.command);
      // The verifier lets a union's unknown kinds pass (a newer peer may send them),
      // but this gateway can neither forward nor answer a command it does not know.
      if (!request.command.body.value) {
        return Status{ErrorCode::InvalidArgument, "the command's body is of no kind this gateway knows (" +
                                                      std::to_string(static_cast<int>(request.command.body.type)) +
                                                      ")"};
      }
      return request;
    }
    case ClientMessage::Subscribe:
      return subscribe_request(*frame.message_as_Subscribe());
    case ClientMessage::Unsubscribe:
      return UnsubscribeRequest{frame.message_as_Unsubscribe()->subscription_id()};
    case ClientMessage::RenewLease:
      return RenewLeaseRequest{text(frame.message_as_RenewLease()->session_id())};
    case ClientMessage::CloseSession:
      return CloseSessionRequest{text(frame.message_as_CloseSession()->session_id())};
    case ClientMessage::GrantCredit: {
      const auto* grant = frame.message_as_GrantCredit();
      return GrantCreditRequest{grant->subscription_id(), grant->frames()};
    }
    case ClientMessage::ListSessions:
      return ListSessionsRequest{};
    case ClientMessage::KillSession: {
      const auto* kill = frame.message_as_KillSession();
      return KillSessionRequest{text(kill->session_id()), text(kill->reason())};
    }
    default:
      return Status{ErrorCode::UnknownMessage, std::string(proto::EnumNameClientMessage(frame.message_type())) +
                                                   " is not a request a client can make"};
  }
}

}  // namespace mxgw::gateway
