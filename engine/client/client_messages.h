// The client protocol's messages as the client sees them: one builder per request
// (called on the application thread that makes the request, so the I/O thread only
// moves bytes) and one reader per kind of answer.
//
// Thread safety: pure functions; each builder uses a per-thread flatbuffers builder.

#pragma once

#include <cstdint>
#include <string>

#include <mxgw/schema/client_generated.h>
#include <mxgw/schema/worker_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/slab.h>

#include "engine/client/client_types.h"

namespace mxgw::client {

// ---- requests: a finished ClientFrame payload carrying `request_id` ----

transport::SharedBytes build_hello(uint64_t request_id, const ClientOptions& options);
transport::SharedBytes build_open_session(uint64_t request_id, const OpenSessionRequest& request);
// REQUIRES: command.body has a type (check_command()).
transport::SharedBytes build_invoke(uint64_t request_id, const std::string& session_id, const proto::CommandT& command);
transport::SharedBytes build_subscribe(uint64_t request_id, const std::string& session_id,
                                       const SubscribeOptions& options);
transport::SharedBytes build_unsubscribe(uint64_t request_id, uint64_t subscription_id);
// Never answered: it goes out with request id 0.
transport::SharedBytes build_grant_credit(uint64_t subscription_id, uint32_t frames);
transport::SharedBytes build_renew_lease(uint64_t request_id, const std::string& session_id);
transport::SharedBytes build_close_session(uint64_t request_id, const std::string& session_id);
transport::SharedBytes build_list_sessions(uint64_t request_id);
transport::SharedBytes build_kill_session(uint64_t request_id, const std::string& session_id,
                                          const std::string& reason);

// InvalidArgument for a command the gateway could not accept (no body).
Status check_command(const proto::CommandT& command);

// ---- answers ----

// The Status an answer carries: the gateway's Error as it is, UnknownMessage when
// the message is not `expected`, ok otherwise.
Status answer_status(const proto::ClientFrame& frame, proto::ClientMessage expected);

// The typed content of an answer. REQUIRES: answer_status(frame, expected) is ok
// for the message kind each one reads.
void read_answer(const proto::ClientFrame& frame, ServerInfo* out);     // HelloAccepted
void read_answer(const proto::ClientFrame& frame, OpenedSession* out);  // SessionOpened
void read_answer(const proto::ClientFrame& frame, InvokeAnswer* out);   // InvokeResult
void read_answer(const proto::ClientFrame& frame, Subscribed* out);     // Subscribed
void read_answer(const proto::ClientFrame& frame, LeaseRenewed* out);   // LeaseRenewed
void read_answer(const proto::ClientFrame& frame, SessionClosed* out);  // SessionClosed
void read_answer(const proto::ClientFrame& frame, SessionList* out);    // SessionList
inline void read_answer(const proto::ClientFrame& /*frame*/, Done* /*out*/) {}

}  // namespace mxgw::client
