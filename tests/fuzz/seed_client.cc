// Seeds of the client protocol: requests built by the C++ client's own builders,
// answers by the gateway's, so the corpus holds what those peers really send.

#include <utility>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "engine/gateway/client_replies.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_messages.h"

namespace mxgw::fuzz {
namespace {

engine::SessionInfo session_info() {
  engine::SessionInfo info;
  info.session_id = std::string(kSessionId);
  info.correlation_id = "historian-" + info.session_id;
  info.backend = std::string(kBackend);
  info.owner = "historian";
  info.state = proto::SessionState::Ready;
  info.worker_pid = 4242;
  info.command_timeout_ms = 5000;
  info.created_ns = 1'764'349'265'000'000'000;
  info.lease_expires_ns = info.created_ns + 30'000'000'000;
  info.lease_ms = 30'000;
  info.subscribers = 2;
  info.events_in = 1000;
  info.events_out = 1990;
  info.next_seq = 1001;
  return info;
}

std::vector<Seed> requests() {
  const std::string session(kSessionId);
  std::vector<Seed> seeds;
  client::ClientOptions hello;
  hello.api_key = "mxgw_0123456789abcdef0123456789abcdef";
  hello.client_name = "historian";
  seeds.push_back({"hello", client::build_hello(1, hello)});
  client::OpenSessionRequest sim{
      "feeder", "sim", 5000, {{"seed", "42"}, {"rate_ms", "0.5"}, {"tags", "Tank:200,Pump"}}};
  seeds.push_back({"open_session_sim", client::build_open_session(2, sim)});
  client::OpenSessionRequest replay{"", "replay", 0, {{"file", "plant/line1.csv"}, {"speed", "max"}, {"loop", "yes"}}};
  seeds.push_back({"open_session_replay", client::build_open_session(3, replay)});
  client::SubscribeOptions subscribe;
  subscribe.policy = proto::DeliveryPolicy::Conflate;
  subscribe.resume = true;
  subscribe.resume_from_seq = 900;
  seeds.push_back({"subscribe", client::build_subscribe(4, session, subscribe)});
  seeds.push_back({"unsubscribe", client::build_unsubscribe(5, 1)});
  seeds.push_back({"renew_lease", client::build_renew_lease(6, session)});
  seeds.push_back({"close_session", client::build_close_session(7, session)});
  seeds.push_back({"list_sessions", client::build_list_sessions(8)});
  seeds.push_back({"kill_session", client::build_kill_session(9, session, "stuck feeder")});
  // Every command the worker protocol has, as an Invoke.
  uint64_t request_id = 100;
  for (const Seed& seed : worker_seeds()) {
    const proto::WorkerFrame& frame = *transport::worker_frame(seed.payload);
    const proto::Command* command = frame.message_as_Command();
    if (!command) continue;
    proto::CommandT unpacked;
    command->UnPackTo(&unpacked);
    seeds.push_back(
        {"invoke_" + seed.name.substr(seed.name.find('_') + 1), client::build_invoke(request_id++, session, unpacked)});
  }
  return seeds;
}

std::vector<Seed> answers() {
  const std::string session(kSessionId);
  transport::PayloadBuilder b;
  std::vector<Seed> seeds;
  seeds.push_back({"hello_accepted", gateway::hello_accepted_frame(b, 1, proto::Role::Admin, 16u << 20)});
  seeds.push_back({"session_opened", gateway::session_opened_frame(b, 2, session_info())});
  for (const Seed& seed : worker_seeds()) {
    if (seed.name == "reply_batch" || seed.name == "reply_error") {
      seeds.push_back(
          {"invoke_result_" + seed.name.substr(6), gateway::invoke_result_frame(b, 3, session, seed.payload)});
    }
  }
  seeds.push_back({"subscribed", gateway::subscribed_frame(b, 4, session, 1, 901)});
  seeds.push_back({"unsubscribed", gateway::unsubscribed_frame(b, 5, 1)});
  seeds.push_back({"lease_renewed", gateway::lease_renewed_frame(b, 6, session, 30'000)});
  seeds.push_back({"session_closed", gateway::session_closed_frame(b, 7, session, true)});
  seeds.push_back({"session_list", gateway::session_list_frame(b, 8, {session_info(), session_info()})});
  seeds.push_back({"session_killed", gateway::session_killed_frame(b, 9, session)});
  seeds.push_back({"error", gateway::error_frame(b, 10, {ErrorCode::NotFound, "no session " + session})});
  return seeds;
}

}  // namespace

std::vector<Seed> client_seeds() {
  std::vector<Seed> seeds = requests();
  for (Seed& seed : answers()) seeds.push_back(std::move(seed));
  return seeds;
}

}  // namespace mxgw::fuzz
