// Building client requests and reading the gateway's answers.

#include "engine/client/client_messages.h"

#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/payload_builder.h>

namespace mxgw::client {
namespace {

// One builder per thread: its vtable cache and scratch space are reused; each
// finished message leaves with a slab of its own.
transport::PayloadBuilder& thread_builder() {
  thread_local transport::PayloadBuilder builder(512);
  return builder;
}

template <typename Body>
transport::SharedBytes finish_request(transport::PayloadBuilder& builder, uint64_t request_id,
                                      proto::ClientMessage type, flatbuffers::Offset<Body> body) {
  auto frame = proto::CreateClientFrame(builder.fbb(), request_id, type, body.Union());
  return builder.finish(frame, proto::ClientFrameIdentifier());
}

// A string field that may be absent, as std::string.
std::string text(const flatbuffers::String* value) { return value ? value->str() : std::string(); }

}  // namespace

transport::SharedBytes build_hello(uint64_t request_id, const ClientOptions& options) {
  auto& builder = thread_builder();
  auto& fbb = builder.fbb();
  auto body =
      proto::CreateHelloDirect(fbb, transport::kProtocolVersion, options.api_key.c_str(), options.client_name.c_str());
  return finish_request(builder, request_id, proto::ClientMessage::Hello, body);
}

transport::SharedBytes build_open_session(uint64_t request_id, const OpenSessionRequest& request) {
  auto& builder = thread_builder();
  auto& fbb = builder.fbb();
  std::vector<flatbuffers::Offset<proto::KeyValue>> options;
  options.reserve(request.backend_options.size());
  for (const auto& [key, value] : request.backend_options) {
    options.push_back(proto::CreateKeyValueDirect(fbb, key.c_str(), value.c_str()));
  }
  auto body = proto::CreateOpenSessionDirect(fbb, request.client_session_name.c_str(), request.backend.c_str(),
                                             request.command_timeout_ms, options.empty() ? nullptr : &options);
  return finish_request(builder, request_id, proto::ClientMessage::OpenSession, body);
}

Status check_command(const proto::CommandT& command) {
  if (command.body.type == proto::CommandBody::NONE) {
    return {ErrorCode::InvalidArgument, "the command has no body (Register, AddItem, Write, ...)"};
  }
  return {};
}

transport::SharedBytes build_invoke(uint64_t request_id, const std::string& session_id,
                                    const proto::CommandT& command) {
  auto& builder = thread_builder();
  auto& fbb = builder.fbb();
  auto packed = proto::CreateCommand(fbb, &command);
  auto body = proto::CreateInvoke(fbb, fbb.CreateString(session_id), packed);
  return finish_request(builder, request_id, proto::ClientMessage::Invoke, body);
}

transport::SharedBytes build_subscribe(uint64_t request_id, const std::string& session_id,
                                       const SubscribeOptions& options) {
  auto& builder = thread_builder();
  auto& fbb = builder.fbb();
  auto body = proto::CreateSubscribeDirect(fbb, session_id.c_str(), options.policy, options.resume,
                                           options.resume_from_seq, static_cast<uint32_t>(options.ring_frames));
  return finish_request(builder, request_id, proto::ClientMessage::Subscribe, body);
}

transport::SharedBytes build_grant_credit(uint64_t subscription_id, uint32_t frames) {
  auto& builder = thread_builder();
  auto body = proto::CreateGrantCredit(builder.fbb(), subscription_id, frames);
  return finish_request(builder, 0, proto::ClientMessage::GrantCredit, body);
}

transport::SharedBytes build_unsubscribe(uint64_t request_id, uint64_t subscription_id) {
  auto& builder = thread_builder();
  auto body = proto::CreateUnsubscribe(builder.fbb(), subscription_id);
  return finish_request(builder, request_id, proto::ClientMessage::Unsubscribe, body);
}

transport::SharedBytes build_renew_lease(uint64_t request_id, const std::string& session_id) {
  auto& builder = thread_builder();
  auto body = proto::CreateRenewLeaseDirect(builder.fbb(), session_id.c_str());
  return finish_request(builder, request_id, proto::ClientMessage::RenewLease, body);
}

transport::SharedBytes build_close_session(uint64_t request_id, const std::string& session_id) {
  auto& builder = thread_builder();
  auto body = proto::CreateCloseSessionDirect(builder.fbb(), session_id.c_str());
  return finish_request(builder, request_id, proto::ClientMessage::CloseSession, body);
}

transport::SharedBytes build_list_sessions(uint64_t request_id) {
  auto& builder = thread_builder();
  auto body = proto::CreateListSessions(builder.fbb());
  return finish_request(builder, request_id, proto::ClientMessage::ListSessions, body);
}

transport::SharedBytes build_kill_session(uint64_t request_id, const std::string& session_id,
                                          const std::string& reason) {
  auto& builder = thread_builder();
  auto body = proto::CreateKillSessionDirect(builder.fbb(), session_id.c_str(), reason.c_str());
  return finish_request(builder, request_id, proto::ClientMessage::KillSession, body);
}

// ---- answers ----

Status answer_status(const proto::ClientFrame& frame, proto::ClientMessage expected) {
  if (frame.message_type() == expected) return {};
  if (const auto* error = frame.message_as_Error()) {
    const ErrorCode code = error->code() == ErrorCode::None ? ErrorCode::Internal : error->code();
    return {code, text(error->message())};
  }
  return {ErrorCode::UnknownMessage, std::string("expected ") + proto::EnumNameClientMessage(expected) +
                                         " from the gateway, got " +
                                         proto::EnumNameClientMessage(frame.message_type())};
}

void read_answer(const proto::ClientFrame& frame, ServerInfo* out) {
  const auto* hello = frame.message_as_HelloAccepted();
  out->protocol_version = hello->protocol_version();
  out->server_version = text(hello->server_version());
  out->role = hello->role();
  out->max_frame_bytes = hello->max_frame_bytes();
}

void read_answer(const proto::ClientFrame& frame, OpenedSession* out) {
  const auto* opened = frame.message_as_SessionOpened();
  out->session_id = text(opened->session_id());
  out->correlation_id = text(opened->correlation_id());
  out->backend = text(opened->backend());
  out->command_timeout_ms = opened->command_timeout_ms();
  out->lease_ms = opened->lease_ms();
}

void read_answer(const proto::ClientFrame& frame, InvokeAnswer* out) {
  if (const auto* reply = frame.message_as_InvokeResult()->reply()) reply->UnPackTo(&out->reply);
}

void read_answer(const proto::ClientFrame& frame, Subscribed* out) {
  const auto* subscribed = frame.message_as_Subscribed();
  out->subscription_id = subscribed->subscription_id();
  out->next_seq = subscribed->next_seq();
}

void read_answer(const proto::ClientFrame& frame, LeaseRenewed* out) {
  out->lease_ms = frame.message_as_LeaseRenewed()->lease_ms();
}

void read_answer(const proto::ClientFrame& frame, SessionClosed* out) {
  out->already_closed = frame.message_as_SessionClosed()->already_closed();
}

void read_answer(const proto::ClientFrame& frame, SessionList* out) {
  const auto* sessions = frame.message_as_SessionList()->sessions();
  if (!sessions) return;
  out->resize(sessions->size());
  for (flatbuffers::uoffset_t i = 0; i < sessions->size(); ++i) sessions->Get(i)->UnPackTo(&(*out)[i]);
}

}  // namespace mxgw::client
