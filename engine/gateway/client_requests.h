// Reading the client protocol's requests: what the gateway takes from a verified
// ClientFrame, as plain values, before any of it reaches the session manager. What
// no connection state could make acceptable (a response kind sent as a request, a
// command of no kind the gateway knows) is refused here with its reason; what
// depends on the connection (Hello first, admin rights) is left to ClientConnection.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include <mxgw/schema/client_generated.h>
#include <mxgw/status.h>

#include "engine/core/session_types.h"

namespace mxgw::gateway {

struct HelloRequest {
  uint32_t protocol_version = 0;
  std::string api_key;
};
struct InvokeRequest {
  std::string session_id;
  proto::CommandT command;
};
struct SubscribeRequest {
  std::string session_id;
  engine::SubscribeOptions options;
  uint32_t credit_frames = 0;  // 0: no flow control of its own
};
struct UnsubscribeRequest {
  uint64_t subscription_id = 0;
};
struct GrantCreditRequest {
  uint64_t subscription_id = 0;
  uint32_t frames = 0;
};
struct RenewLeaseRequest {
  std::string session_id;
};
struct CloseSessionRequest {
  std::string session_id;
};
struct ListSessionsRequest {};
struct KillSessionRequest {
  std::string session_id;
  std::string reason;
};

// One request, or the Status that refuses it.
using ClientRequest =
    std::variant<Status, HelloRequest, engine::OpenRequest, InvokeRequest, SubscribeRequest, UnsubscribeRequest,
                 RenewLeaseRequest, CloseSessionRequest, ListSessionsRequest, KillSessionRequest, GrantCreditRequest>;

// REQUIRES: `frame` passed verify_payload() as ClientControl.
ClientRequest read_request(const proto::ClientFrame& frame);

}  // namespace mxgw::gateway
