// Fuzz target: a payload from a worker, taken as the engine takes it. It is verified
// as a WorkerControl and as an Events frame (the file identifier decides which can
// pass), then read as the engine reads it: a WorkerHello judged against the session
// the worker was started for, a WorkerReady's verdict, a Reply re-encoded into the
// client's InvokeResult (which must itself verify, and is read back as the client
// reads it), and an event batch walked event by event.
//
// Input: the payload, without the frame header.

#include <cstddef>
#include <cstdint>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "engine/core/worker_messages.h"
#include "engine/gateway/client_replies.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace mxgw;
using transport::FrameKind;

engine::Nonce session_nonce() {
  engine::Nonce nonce;
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(fuzz::kNonceSeed ^ i);
  return nonce;
}

void read_reply(const transport::SharedBytes& payload) {
  static transport::PayloadBuilder builder;
  const transport::SharedBytes answer =
      fuzz::as_received(gateway::invoke_result_frame(builder, 7, std::string(fuzz::kSessionId), payload));
  fuzz::expect_ok(transport::verify_payload(FrameKind::ClientControl, answer.bytes()),
                  "the gateway re-encoded a worker's reply into a frame that does not verify");
  const proto::ClientFrame& frame = *transport::client_frame(answer);
  fuzz::expect(client::answer_status(frame, proto::ClientMessage::InvokeResult).is_ok(),
               "a re-encoded reply is not an InvokeResult");
  client::InvokeAnswer read;
  client::read_answer(frame, &read);
}

void read_worker_message(const transport::SharedBytes& payload) {
  static const engine::Nonce nonce = session_nonce();
  const proto::WorkerFrame& frame = *transport::worker_frame(payload);
  switch (frame.message_type()) {
    case proto::WorkerMessage::WorkerHello:
      for (const bool nonce_used : {false, true}) {
        const engine::HelloVerdict verdict =
            engine::judge_hello(*frame.message_as_WorkerHello(), {fuzz::kSessionId, fuzz::kBackend, nonce, nonce_used});
        fuzz::expect(verdict.accepted() == verdict.message.empty(), "a hello's verdict and its reason disagree");
        fuzz::expect(!(nonce_used && verdict.accepted()), "a used nonce was accepted");
      }
      return;
    case proto::WorkerMessage::WorkerReady:
      engine::ready_status(*frame.message_as_WorkerReady(), fuzz::kBackend);
      return;
    case proto::WorkerMessage::Reply:
      read_reply(payload);
      return;
    default:
      return;  // the engine reads nothing else from a worker: it faults the session
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const transport::SharedBytes payload = transport::copy_to_slab({reinterpret_cast<const std::byte*>(data), size});
  if (transport::verify_payload(FrameKind::WorkerControl, payload.bytes()).is_ok()) read_worker_message(payload);
  if (transport::verify_payload(FrameKind::Events, payload.bytes()).is_ok()) {
    fuzz::read_event_batch(*transport::event_batch(payload));
  }
  return 0;
}
