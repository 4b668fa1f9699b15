// Judging a worker's handshake and building its commands.

#include "engine/core/worker_messages.h"

#include <mxgw/transport/frame.h>

namespace mxgw::engine {

bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t size) {
  // Volatile keeps the compiler from ending the loop at the first difference.
  volatile uint8_t difference = 0;
  for (size_t i = 0; i < size; ++i) difference = difference | (a[i] ^ b[i]);
  return difference == 0;
}

HelloVerdict judge_hello(const proto::WorkerHello& hello, const ExpectedWorker& expected) {
  using proto::HandshakeError;
  if (hello.protocol_version() != transport::kProtocolVersion) {
    return {HandshakeError::ProtocolVersionMismatch, "worker speaks protocol " +
                                                         std::to_string(hello.protocol_version()) + ", the gateway " +
                                                         std::to_string(transport::kProtocolVersion)};
  }
  if (!hello.session_id() || hello.session_id()->string_view() != expected.session_id) {
    return {HandshakeError::UnknownSession, "the worker named another session"};
  }
  const auto* nonce = hello.nonce();
  if (expected.nonce_used || !nonce || nonce->size() != kNonceBytes ||
      !constant_time_equal(nonce->data(), expected.nonce.data(), kNonceBytes)) {
    return {HandshakeError::BadNonce, "the worker did not prove the session nonce"};
  }
  if (!hello.backend() || hello.backend()->string_view() != expected.backend) {
    return {HandshakeError::UnknownBackend, "the worker announced another backend"};
  }
  return {};
}

Status ready_status(const proto::WorkerReady& ready, std::string_view backend) {
  if (ready.ok()) return {};
  return {ErrorCode::OpenFailed, "backend '" + std::string(backend) +
                                     "' refused to start: " + proto::EnumNameHandshakeError(ready.code()) + ": " +
                                     (ready.message() ? ready.message()->str() : "")};
}

transport::SharedBytes command_frame(transport::PayloadBuilder& builder, const proto::CommandT& command) {
  auto& fbb = builder.fbb();
  const auto packed = proto::Command::Pack(fbb, &command);
  return builder.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::Command, packed.Union()),
                        proto::WorkerFrameIdentifier());
}

}  // namespace mxgw::engine
