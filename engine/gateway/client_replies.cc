// Response frames of the client protocol.

#include "engine/gateway/client_replies.h"

#include <mxgw/transport/frame_verifier.h>

namespace mxgw::gateway {
namespace {

template <typename Message>
SharedBytes frame(PayloadBuilder& b, uint64_t request_id, proto::ClientMessage type,
                  flatbuffers::Offset<Message> message) {
  auto& fbb = b.fbb();
  return b.finish(proto::CreateClientFrame(fbb, request_id, type, message.Union()), proto::ClientFrameIdentifier());
}

}  // namespace

SharedBytes error_frame(PayloadBuilder& b, uint64_t request_id, const Status& status) {
  auto& fbb = b.fbb();
  const auto message = fbb.CreateString(status.message().empty() ? std::string(error_code_description(status.code()))
                                                                 : status.message());
  return frame(b, request_id, proto::ClientMessage::Error, proto::CreateError(fbb, status.code(), message));
}

SharedBytes hello_accepted_frame(PayloadBuilder& b, uint64_t request_id, proto::Role role, uint32_t max_frame_bytes) {
  auto& fbb = b.fbb();
  return frame(b, request_id, proto::ClientMessage::HelloAccepted,
               proto::CreateHelloAccepted(fbb, transport::kProtocolVersion, fbb.CreateString(MXGW_VERSION_STRING), role,
                                          max_frame_bytes));
}

SharedBytes session_opened_frame(PayloadBuilder& b, uint64_t request_id, const engine::SessionInfo& info) {
  auto& fbb = b.fbb();
  return frame(b, request_id, proto::ClientMessage::SessionOpened,
               proto::CreateSessionOpened(fbb, fbb.CreateString(info.session_id), fbb.CreateString(info.correlation_id),
                                          fbb.CreateString(info.backend), info.command_timeout_ms,
                                          static_cast<int64_t>(info.lease_ms)));
}

SharedBytes invoke_result_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                                const SharedBytes& reply_frame) {
  proto::ReplyT reply;
  transport::worker_frame(reply_frame)->message_as_Reply()->UnPackTo(&reply);
  auto& fbb = b.fbb();
  const auto packed = proto::Reply::Pack(fbb, &reply);
  return frame(b, request_id, proto::ClientMessage::InvokeResult,
               proto::CreateInvokeResult(fbb, fbb.CreateString(session_id), packed));
}

SharedBytes subscribed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                             uint64_t subscription_id, uint64_t next_seq) {
  auto& fbb = b.fbb();
  return frame(b, request_id, proto::ClientMessage::Subscribed,
               proto::CreateSubscribed(fbb, fbb.CreateString(session_id), subscription_id, next_seq));
}

SharedBytes unsubscribed_frame(PayloadBuilder& b, uint64_t request_id, uint64_t subscription_id) {
  return frame(b, request_id, proto::ClientMessage::Unsubscribed, proto::CreateUnsubscribed(b.fbb(), subscription_id));
}

SharedBytes lease_renewed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                                uint64_t lease_ms) {
  auto& fbb = b.fbb();
  return frame(b, request_id, proto::ClientMessage::LeaseRenewed,
               proto::CreateLeaseRenewed(fbb, fbb.CreateString(session_id), static_cast<int64_t>(lease_ms)));
}

SharedBytes session_closed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                                 bool already_closed) {
  auto& fbb = b.fbb();
  return frame(b, request_id, proto::ClientMessage::SessionClosed,
               proto::CreateSessionClosed(fbb, fbb.CreateString(session_id), already_closed));
}

SharedBytes session_killed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id) {
  auto& fbb = b.fbb();
  return frame(b, request_id, proto::ClientMessage::SessionKilled,
               proto::CreateSessionKilled(fbb, fbb.CreateString(session_id)));
}

SharedBytes session_list_frame(PayloadBuilder& b, uint64_t request_id,
                               const std::vector<engine::SessionInfo>& sessions) {
  auto& fbb = b.fbb();
  std::vector<flatbuffers::Offset<proto::SessionInfo>> infos;
  infos.reserve(sessions.size());
  for (const engine::SessionInfo& s : sessions) {
    infos.push_back(proto::CreateSessionInfo(fbb, fbb.CreateString(s.session_id), fbb.CreateString(s.correlation_id),
                                             fbb.CreateString(s.backend), s.state, fbb.CreateString(s.owner), s.shard,
                                             s.worker_pid, s.created_ns, s.lease_expires_ns, s.subscribers, s.events_in,
                                             s.events_out, s.next_seq));
  }
  return frame(b, request_id, proto::ClientMessage::SessionList,
               proto::CreateSessionList(fbb, fbb.CreateVector(infos)));
}

}  // namespace mxgw::gateway
