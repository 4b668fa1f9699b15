// The value types of the session API: what an open asks for, who is asking, what a
// session reports about itself, and the callbacks that answer.
//
// Thread safety: value types.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <mxgw/schema/client_generated.h>
#include <mxgw/schema/events_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/slab.h>

namespace mxgw::engine {

class Subscription;

// The API key a request comes with: sessions belong to the key that opened them.
struct Caller {
  std::string key_name;
  bool admin = false;
};

struct OpenRequest {
  std::string client_session_name;
  std::string backend;             // empty: the configured default
  int32_t command_timeout_ms = 0;  // <= 0: the configured default
  std::vector<std::pair<std::string, std::string>> backend_options;
};

struct SessionInfo {
  std::string session_id;
  std::string correlation_id;  // "<client session name or client>-<session id>"
  std::string backend;
  std::string owner;
  proto::SessionState state = proto::SessionState::Created;
  std::string state_reason;
  uint32_t shard = 0;
  int worker_pid = 0;
  int32_t command_timeout_ms = 0;
  int64_t created_ns = 0;        // wall clock, ns since the Unix epoch
  int64_t lease_expires_ns = 0;  // wall clock
  uint64_t lease_ms = 0;
  uint32_t subscribers = 0;
  uint64_t events_in = 0;
  uint64_t events_out = 0;
  uint64_t next_seq = 0;
};

struct SubscribeOptions {
  proto::DeliveryPolicy policy = proto::DeliveryPolicy::Lossless;
  // Resume from this sequence number (replayed from the session's window); none:
  // from the next event on.
  std::optional<uint64_t> resume_from;
};

// A command's answer: the worker's Reply, inside the frame that carries it.
struct CommandResult {
  Status status;                       // not ok: no reply (timeout, session gone, …)
  transport::SharedBytes reply_frame;  // a verified WorkerFrame holding a Reply
};

using OpenCallback = std::function<void(const Status& status, const SessionInfo& info)>;
using CommandCallback = std::function<void(CommandResult result)>;
using CloseCallback = std::function<void(const Status& status, bool already_closed)>;
using DoneCallback = std::function<void(const Status& status)>;
using SubscribeCallback = std::function<void(const Status& status, std::shared_ptr<Subscription> subscription)>;
using ListCallback = std::function<void(std::vector<SessionInfo> sessions)>;

}  // namespace mxgw::engine
