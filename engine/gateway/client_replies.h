// Building the gateway's answers to clients: every response message of client.fbs as
// a finished ClientFrame payload, and the conversions from engine values.
//
// Thread safety: pure functions of their arguments and the builder passed in.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <mxgw/schema/client_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/payload_builder.h>

#include "engine/core/session_types.h"

namespace mxgw::gateway {

using transport::PayloadBuilder;
using transport::SharedBytes;

SharedBytes error_frame(PayloadBuilder& b, uint64_t request_id, const Status& status);
SharedBytes hello_accepted_frame(PayloadBuilder& b, uint64_t request_id, proto::Role role, uint32_t max_frame_bytes);
SharedBytes session_opened_frame(PayloadBuilder& b, uint64_t request_id, const engine::SessionInfo& info);
// `reply_frame` is the worker's WorkerFrame holding the Reply, re-encoded here.
SharedBytes invoke_result_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                                const SharedBytes& reply_frame);
SharedBytes subscribed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                             uint64_t subscription_id, uint64_t next_seq);
SharedBytes unsubscribed_frame(PayloadBuilder& b, uint64_t request_id, uint64_t subscription_id);
SharedBytes lease_renewed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                                uint64_t lease_ms);
SharedBytes session_closed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id,
                                 bool already_closed);
SharedBytes session_killed_frame(PayloadBuilder& b, uint64_t request_id, const std::string& session_id);
SharedBytes session_list_frame(PayloadBuilder& b, uint64_t request_id,
                               const std::vector<engine::SessionInfo>& sessions);

}  // namespace mxgw::gateway
