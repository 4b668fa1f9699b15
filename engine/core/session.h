// Session: one client session on its shard — its worker (WorkerLink), its state
// machine, its pending commands, its lease and its distributor.
//
//   Created → StartingWorker → Ready → Closing → Closed, and Faulted from any live
//   state.
//
// How a session ends is decided exactly once (closed, expired, killed or faulted);
// whoever decides first wins, so a kill racing a close is counted once. A kill after
// a close has begun still kills the worker at once, but the session counts as
// closed. Everything that waits on the session (the open, closes, kills, pending
// commands, subscribers) is answered when the worker is gone and every handle is
// closed, and then the shard disposes of the session.
//
// Thread safety: the owning shard's thread only.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <mxgw/clock.h>
#include <mxgw/schema/worker_generated.h>

#include "engine/core/distributor.h"
#include "engine/core/engine_config.h"
#include "engine/core/engine_metrics.h"
#include "engine/core/session_types.h"
#include "engine/core/shard.h"
#include "engine/core/worker_link.h"

namespace mxgw::engine {

class Session;

// What a session needs from the shard that owns it.
struct ShardContext {
  Shard& shard;
  const EngineConfig& config;
  EngineMetrics& metrics;       // shared by every shard
  ShardMetrics& shard_metrics;  // this shard's own
  std::string worker_path;
  std::string runtime_dir;
  // Called once, when the session has fully ended; the shard removes it.
  std::function<void(Session&)> dispose;
};

class Session final : engine::WorkerLink::Observer {
 public:
  Session(ShardContext& context, std::string id, Caller owner, OpenRequest request, OpenCallback on_open);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Spawns the worker; the open callback answers once the worker is ready or gone.
  void start();

  // Sends one command; `command.correlation_id` is replaced by the session's own.
  void invoke(proto::CommandT command, CommandCallback done);
  void close(const std::string& reason, SessionEnding ending, CloseCallback done);
  // REQUIRES: reason is not empty (the manager checks).
  void kill(const std::string& reason, DoneCallback done);
  void renew_lease();
  // While held, the lease does not run out: the gateway has stopped reading a client
  // of this session, so that client's renewals cannot arrive. Holds are counted (one
  // per holding connection); when the last is released the lease starts afresh.
  void hold_lease(bool hold);
  bool lease_expired(int64_t now_ns) const {
    return state_ == proto::SessionState::Ready && lease_holds_ == 0 && now_ns >= lease_expires_ns_;
  }

  Status subscribe(std::shared_ptr<Subscription> subscription, std::optional<uint64_t> resume_from) {
    return distributor_.add(std::move(subscription), resume_from);
  }
  uint64_t next_seq() const noexcept { return distributor_.next_seq(); }
  void unsubscribe(uint64_t subscription_id) { distributor_.remove(subscription_id); }
  void room_for(uint64_t subscription_id) { distributor_.room_for(subscription_id); }

  const std::string& id() const noexcept { return info_.session_id; }
  const std::string& owner() const noexcept { return owner_.key_name; }
  bool ending_decided() const noexcept { return ending_.has_value(); }
  SessionInfo info() const;

 private:
  struct PendingCommand;

  void on_ready(engine::WorkerLink& link) override;
  void on_fault(engine::WorkerLink& link, const Status& why) override;
  void on_reply(engine::WorkerLink& link, const proto::Reply& reply, const transport::SharedBytes& frame) override;
  void on_events(engine::WorkerLink& link, transport::Frame&& frame) override;
  void on_exit(engine::WorkerLink& link, int64_t exit_status, int term_signal) override;

  // Records how the session ends, unless that is already decided. True if it was.
  bool decide(SessionEnding ending, ErrorCode fault_code, const std::string& reason);
  void set_state(proto::SessionState state, const std::string& reason);
  void on_command_timeout(uint64_t correlation_id);
  // Lossless backpressure: stop (or restart) reading the worker.
  void hold_back_events(bool hold);
  void fail_pending(const Status& why);
  void finish();

  ShardContext& context_;
  Caller owner_;
  OpenRequest request_;
  OpenCallback on_open_;
  SessionInfo info_;
  std::unique_ptr<engine::WorkerLink> link_;
  proto::SessionState state_ = proto::SessionState::Created;
  std::optional<SessionEnding> ending_;
  ErrorCode fault_code_ = ErrorCode::None;
  std::string ending_reason_;
  std::unordered_map<uint64_t, PendingCommand*> pending_;
  uint64_t next_correlation_ = 1;
  std::vector<CloseCallback> close_waiters_;
  std::vector<DoneCallback> kill_waiters_;
  Distributor distributor_;
  transport::PayloadBuilder command_builder_;
  int64_t lease_expires_ns_ = 0;  // steady clock
  uint32_t lease_holds_ = 0;
  int64_t open_started_ns_ = 0;  // steady clock
  uint64_t events_in_ = 0;
  bool events_held_back_ = false;
};

}  // namespace mxgw::engine
