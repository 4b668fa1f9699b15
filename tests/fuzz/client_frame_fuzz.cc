// Fuzz target: a payload from a client, taken as the gateway takes it. It is
// verified as a ClientControl frame, read into a request (read_request, as
// ClientConnection does), and then carried as far as it goes without a live engine:
// a refused request becomes the Error answer; an Invoke's command becomes the
// frame the worker receives, which must verify as the worker will verify it; an
// OpenSession's backend options go through the option parsers of the backends the
// worker would start; session ids that answers echo are echoed, and every answer
// built must verify and read back as the client reads it.
//
// Input: the payload, without the frame header.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "engine/core/worker_messages.h"
#include "engine/gateway/client_replies.h"
#include "engine/gateway/client_requests.h"
#include "tests/fuzz/fuzz_support.h"
#include "worker/replay/options.h"
#include "worker/sim/options.h"

namespace {

using namespace mxgw;
using transport::FrameKind;

transport::PayloadBuilder& builder() {
  static transport::PayloadBuilder instance;
  return instance;
}

// An answer as the client receives it.
// REQUIRES: `answer` was placed as received (as_received), and outlives the frame.
const proto::ClientFrame& received(const transport::SharedBytes& answer, proto::ClientMessage kind) {
  fuzz::expect_ok(transport::verify_payload(FrameKind::ClientControl, answer.bytes()),
                  "the gateway built an answer that does not verify");
  const proto::ClientFrame& frame = *transport::client_frame(answer);
  fuzz::expect(frame.message_type() == kind, "the gateway built an answer of another kind");
  return frame;
}

void refuse(uint64_t request_id, const Status& why) {
  const transport::SharedBytes answer = fuzz::as_received(gateway::error_frame(builder(), request_id, why));
  const proto::ClientFrame& frame = received(answer, proto::ClientMessage::Error);
  fuzz::expect(client::answer_status(frame, proto::ClientMessage::Error).is_ok(), "an Error answer reads as another");
  fuzz::expect(client::answer_status(frame, proto::ClientMessage::SessionOpened).code() == why.code(),
               "the client reads another error code than the gateway sent");
}

void open(const engine::OpenRequest& request) {
  std::vector<worker::OptionPair> pairs;
  for (const auto& [key, value] : request.backend_options) pairs.push_back({key, value});
  sim::SimOptions sim;
  sim::parse_sim_options(pairs, &sim);
  replay::ReplayOptions replay;
  replay::parse_replay_options(pairs, &replay);
}

void invoke(const gateway::InvokeRequest& request) {
  const transport::SharedBytes command = fuzz::as_received(engine::command_frame(builder(), request.command));
  fuzz::expect_ok(transport::verify_payload(FrameKind::WorkerControl, command.bytes()),
                  "the gateway built a command its worker would refuse");
}

void echo(uint64_t request_id, const std::string& session_id) {
  const transport::SharedBytes answer =
      fuzz::as_received(gateway::session_closed_frame(builder(), request_id, session_id, false));
  client::SessionClosed closed;
  client::read_answer(received(answer, proto::ClientMessage::SessionClosed), &closed);
}

void serve(uint64_t request_id, const gateway::ClientRequest& request) {
  if (const auto* refused = std::get_if<Status>(&request)) return refuse(request_id, *refused);
  if (const auto* r = std::get_if<engine::OpenRequest>(&request)) return open(*r);
  if (const auto* r = std::get_if<gateway::InvokeRequest>(&request)) return invoke(*r);
  if (const auto* r = std::get_if<gateway::SubscribeRequest>(&request)) return echo(request_id, r->session_id);
  if (const auto* r = std::get_if<gateway::RenewLeaseRequest>(&request)) return echo(request_id, r->session_id);
  if (const auto* r = std::get_if<gateway::CloseSessionRequest>(&request)) return echo(request_id, r->session_id);
  if (const auto* r = std::get_if<gateway::KillSessionRequest>(&request)) return echo(request_id, r->session_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const transport::SharedBytes payload = transport::copy_to_slab({reinterpret_cast<const std::byte*>(data), size});
  if (!transport::verify_payload(FrameKind::ClientControl, payload.bytes()).is_ok()) return 0;
  const proto::ClientFrame& frame = *transport::client_frame(payload);
  serve(frame.request_id(), gateway::read_request(frame));
  return 0;
}
