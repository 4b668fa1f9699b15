// SessionManager: the engine's thread-safe front door. It owns the shards, places
// each session on one (by a hash of its id, so any thread can find it without a
// shared table), enforces the session limit, and routes every request to the shard
// that owns the session.
//
// Rules (DESIGN.md, "Sessions"):
//   - open is refused at once with SessionLimitExceeded when max_sessions are open
//     (the slot is taken before anything is started, and every kind of ending gives
//     it back); ids are session-<32 hex>; backend and command timeout default from
//     the configuration; a fresh 32-byte nonce per session; correlation id
//     "<client session name or client>-<session id>";
//   - a failure after registration faults the session with OpenFailed and the caller
//     hears OpenFailed with the cause, once the session is fully gone;
//   - a session belongs to the key that opened it: any other client key gets
//     NotFound; an admin key may list and kill any session;
//   - kill needs a reason; closing an already closed session reports already_closed;
//   - each shard sweeps leases and closes expired sessions with "lease-expired";
//   - shutdown closes every session gracefully and kills any that does not go.
//
// Thread safety: every public method may be called from any thread, except that
// shutdown() must not be called from a shard thread (it waits for them). Callbacks
// run on the session's shard thread, except a refusal that needs no shard (session
// limit, shutting down, bad arguments), which runs on the calling thread before the
// method returns.

#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <mxgw/schema/worker_generated.h>

#include "engine/core/engine_config.h"
#include "engine/core/engine_metrics.h"
#include "engine/core/session_types.h"

namespace mxgw::engine {

class Shard;

class SessionManager {
 public:
  explicit SessionManager(EngineConfig config);
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Creates the private runtime directory, finds the worker, starts the shards.
  Status start();
  // Refuses new sessions and closes every open one ("gateway-shutdown"), killing
  // those that do not close in time; returns once all are gone. The shards keep
  // running (the gateway still has connections to flush).
  void close_all_sessions();
  // close_all_sessions(), then stops the shards and removes the runtime directory.
  // Idempotent.
  void shutdown();

  void open(const Caller& caller, OpenRequest request, OpenCallback done);
  void invoke(const Caller& caller, const std::string& session_id, proto::CommandT command, CommandCallback done);
  void close(const Caller& caller, const std::string& session_id, CloseCallback done);
  // Answers NotFound unless `caller` is an admin or the owner, and InvalidArgument
  // for an empty `reason`.
  void kill(const Caller& caller, const std::string& session_id, const std::string& reason, DoneCallback done);
  void renew_lease(const Caller& caller, const std::string& session_id, DoneCallback done);
  // Holds the session's lease (it does not expire) or releases one hold, which
  // restarts it; see Session::hold_lease. A session not found or not the caller's is
  // left alone: nothing is answered.
  void hold_lease(const Caller& caller, const std::string& session_id, bool hold);
  // `notify` runs on the shard after each delivery (may be empty for polling
  // consumers). The subscription's next_seq is in its first delivery's prefix.
  void subscribe(const Caller& caller, const std::string& session_id, SubscribeOptions options,
                 std::function<void()> notify, SubscribeCallback done);
  void unsubscribe(const std::string& session_id, uint64_t subscription_id);
  // Sessions visible to `caller` (all of them for an admin).
  void list(const Caller& caller, ListCallback done);

  // The counters shared by the shards (sessions, latencies).
  const EngineMetrics& metrics() const noexcept { return metrics_; }
  // Every metric, the shards' own counters added up (engine_metrics.h).
  MetricsSnapshot metrics_snapshot() const;
  // Sessions in the registries right now (the sum of every shard's).
  int64_t registry_size() const noexcept;
  const EngineConfig& config() const noexcept { return config_; }
  uint32_t shard_count() const noexcept;
  // The engine's shards also host the gateway's client connections, so that I/O for
  // clients runs on the same threads as the sessions. REQUIRES: start() succeeded,
  // index < shard_count().
  Shard& shard(uint32_t index);

 private:
  struct ShardState;

  struct ListWalk {
    Caller caller;
    ListCallback done;
    std::vector<SessionInfo> found;
  };

  ShardState& owner_of(const std::string& session_id);
  void list_from(std::shared_ptr<ListWalk> walk, size_t index);
  // Runs `action` on the session's shard if `caller` may see the session; else
  // answers `not_found` there.
  template <typename Action, typename NotFound>
  void with_session(const Caller& caller, const std::string& session_id, Action action, NotFound not_found);
  void dispose(ShardState& shard, const std::string& session_id);

  EngineConfig config_;
  EngineMetrics metrics_;
  std::string runtime_dir_;
  std::string worker_path_;
  std::vector<std::unique_ptr<ShardState>> shards_;
  // Slots taken by sessions that are registered or about to be. Relaxed: it only
  // bounds a count and publishes nothing.
  std::atomic<uint32_t> slots_{0};
  // Whether opens are accepted. Relaxed: a late open is refused by the shards'
  // shutdown anyway; the flag only saves the work.
  std::atomic<bool> accepting_{false};
  // Subscription ids. Relaxed: only uniqueness matters.
  std::atomic<uint64_t> next_subscription_{1};
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace mxgw::engine
