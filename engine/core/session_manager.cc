// Placement, routing, capacity, lease sweeps and shutdown.

#include "engine/core/session_manager.h"

#include <sys/resource.h>
#include <unistd.h>

#include <climits>
#include <deque>
#include <filesystem>
#include <future>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <mxgw/transport/random_bytes.h>

#include "engine/core/session.h"
#include "engine/core/shard.h"
#include "engine/core/subscription.h"

namespace mxgw::engine {
namespace {

// Ids of ended sessions each shard remembers, to answer a second close with
// already_closed rather than NotFound.
constexpr size_t kRememberedEndings = 4096;

Status new_session_id(std::string* id) {
  uint8_t bytes[16];
  if (Status drawn = transport::fill_random(bytes); !drawn.is_ok()) return drawn;
  static constexpr char kDigits[] = "0123456789abcdef";
  *id = "session-";
  for (uint8_t b : bytes) {
    *id += kDigits[b >> 4];
    *id += kDigits[b & 15];
  }
  return {};
}

// FNV-1a: placement only needs a stable, well-spread hash of the id.
uint64_t placement_hash(const std::string& id) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : id) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string default_worker_path() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string("mxgw-worker") : (self.parent_path() / "mxgw-worker").string();
}

// Lets one session own a socket and a process handle or two: a thousand sessions
// need more descriptors than the usual soft limit of 1024.
void raise_descriptor_limit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

struct SessionManager::ShardState {
  ShardState(uint32_t id, SessionManager& manager)
      : shard(id),
        context{shard,
                manager.config_,
                manager.metrics_,
                metrics,
                manager.worker_path_,
                manager.runtime_dir_,
                [this, &manager](Session& session) { manager.dispose(*this, session.id()); }} {}

  Shard shard;
  ShardMetrics metrics;  // declared before the context that refers to it
  ShardContext context;
  std::unordered_map<std::string, std::unique_ptr<Session>> sessions;
  std::unordered_map<std::string, std::string> ended;  // id → owner, recent endings
  std::deque<std::string> ended_order;
  uv_timer_t lease_sweep{};
  // sessions.size(), for readers on other threads. Relaxed: a count on its own.
  std::atomic<int64_t> size{0};
  std::promise<void>* drained = nullptr;  // set while shutting down
};

SessionManager::SessionManager(EngineConfig config) : config_(std::move(config)) {}

SessionManager::~SessionManager() { shutdown(); }

uint32_t SessionManager::shard_count() const noexcept { return static_cast<uint32_t>(shards_.size()); }

Shard& SessionManager::shard(uint32_t index) { return shards_[index]->shard; }

Status SessionManager::start() {
  if (started_) return {ErrorCode::InvalidArgument, "the engine is already started"};
  if (Status s = config_.validate(); !s.is_ok()) return s;
  worker_path_ = config_.worker_path.empty() ? default_worker_path() : config_.worker_path;
  if (::access(worker_path_.c_str(), X_OK) != 0) {
    return {ErrorCode::InvalidArgument, "no executable mxgw-worker at " + worker_path_};
  }
  std::string pattern = config_.runtime_parent + "/mxgw-XXXXXX";
  if (!mkdtemp(pattern.data())) {  // mkdtemp makes the directory 0700
    return {ErrorCode::Internal, "cannot create a runtime directory under " + config_.runtime_parent};
  }
  runtime_dir_ = pattern;
  raise_descriptor_limit();

  const uint32_t count = config_.shards ? config_.shards : std::max(1u, std::thread::hardware_concurrency());
  for (uint32_t i = 0; i < count; ++i) shards_.push_back(std::make_unique<ShardState>(i, *this));
  for (auto& state : shards_) {
    ShardState* s = state.get();
    s->shard.start([this, s] {
      uv_timer_init(s->shard.loop(), &s->lease_sweep);
      s->lease_sweep.data = s;
      uv_timer_start(
          &s->lease_sweep,
          [](uv_timer_t* t) {
            auto* shard = static_cast<ShardState*>(t->data);
            const int64_t now = steady_clock_ns();
            for (auto& [id, session] : shard->sessions) {
              if (session->lease_expired(now))
                session->close("lease-expired", SessionEnding::Expired, [](const Status&, bool) {});
            }
          },
          config_.lease_sweep_interval_ms, config_.lease_sweep_interval_ms);
    });
  }
  started_ = true;
  accepting_.store(true, std::memory_order_relaxed);
  return {};
}

SessionManager::ShardState& SessionManager::owner_of(const std::string& session_id) {
  return *shards_[placement_hash(session_id) % shards_.size()];
}

MetricsSnapshot SessionManager::metrics_snapshot() const {
  MetricsSnapshot snapshot = metrics_.snapshot();
  for (const auto& s : shards_) s->metrics.add_to(snapshot);
  return snapshot;
}

int64_t SessionManager::registry_size() const noexcept {
  int64_t total = 0;
  for (const auto& s : shards_) total += s->size.load(std::memory_order_relaxed);
  return total;
}

void SessionManager::open(const Caller& caller, OpenRequest request, OpenCallback done) {
  if (!accepting_.load(std::memory_order_relaxed)) {
    done({ErrorCode::ShuttingDown, "the engine is not accepting sessions"}, {});
    return;
  }
  if (slots_.fetch_add(1, std::memory_order_relaxed) >= config_.max_sessions) {
    slots_.fetch_sub(1, std::memory_order_relaxed);
    metrics_.refused.fetch_add(1, std::memory_order_relaxed);
    done({ErrorCode::SessionLimitExceeded, "all " + std::to_string(config_.max_sessions) + " sessions are in use"}, {});
    return;
  }
  std::string id;
  if (Status made = new_session_id(&id); !made.is_ok()) {
    slots_.fetch_sub(1, std::memory_order_relaxed);
    done({ErrorCode::OpenFailed, "cannot make a session id: " + made.message()}, {});
    return;
  }
  ShardState& state = owner_of(id);
  state.shard.post(
      [this, &state, id = std::move(id), caller, request = std::move(request), done = std::move(done)]() mutable {
        auto session = std::make_unique<Session>(state.context, id, caller, std::move(request), std::move(done));
        Session& registered = *session;
        state.sessions.emplace(id, std::move(session));
        state.size.fetch_add(1, std::memory_order_relaxed);
        metrics_.sessions_open.fetch_add(1, std::memory_order_relaxed);
        metrics_.registered.fetch_add(1, std::memory_order_relaxed);
        registered.start();
      });
}

void SessionManager::dispose(ShardState& state, const std::string& session_id) {
  const auto found = state.sessions.find(session_id);
  if (found == state.sessions.end()) return;
  state.ended.emplace(session_id, found->second->owner());
  state.ended_order.push_back(session_id);
  if (state.ended_order.size() > kRememberedEndings) {
    state.ended.erase(state.ended_order.front());
    state.ended_order.pop_front();
  }
  state.sessions.erase(found);
  state.size.fetch_sub(1, std::memory_order_relaxed);
  metrics_.sessions_open.fetch_sub(1, std::memory_order_relaxed);
  slots_.fetch_sub(1, std::memory_order_relaxed);
  if (state.drained && state.sessions.empty()) std::exchange(state.drained, nullptr)->set_value();
}

template <typename Action, typename NotFound>
void SessionManager::with_session(const Caller& caller, const std::string& session_id, Action action,
                                  NotFound not_found) {
  ShardState& state = owner_of(session_id);
  state.shard.post(
      [&state, caller, session_id, action = std::move(action), not_found = std::move(not_found)]() mutable {
        const auto found = state.sessions.find(session_id);
        if (found == state.sessions.end() || (!caller.admin && found->second->owner() != caller.key_name)) {
          const auto ended = state.ended.find(session_id);
          not_found(ended != state.ended.end() && (caller.admin || ended->second == caller.key_name));
          return;
        }
        action(*found->second);
      });
}

namespace {
Status not_found_status(const std::string& session_id) { return {ErrorCode::NotFound, "no session " + session_id}; }
}  // namespace

void SessionManager::invoke(const Caller& caller, const std::string& session_id, proto::CommandT command,
                            CommandCallback done) {
  auto shared_done = std::make_shared<CommandCallback>(std::move(done));
  with_session(
      caller, session_id,
      [command = std::move(command), shared_done](Session& session) mutable {
        session.invoke(std::move(command), std::move(*shared_done));
      },
      [shared_done, session_id](bool ended) {
        (*shared_done)({ended ? Status{ErrorCode::AlreadyClosed, "session " + session_id + " has ended"}
                              : not_found_status(session_id),
                        {}});
      });
}

void SessionManager::close(const Caller& caller, const std::string& session_id, CloseCallback done) {
  auto shared_done = std::make_shared<CloseCallback>(std::move(done));
  with_session(
      caller, session_id,
      [shared_done](Session& session) {
        session.close("client-close", SessionEnding::Closed, std::move(*shared_done));
      },
      [shared_done, session_id](bool ended) {
        if (ended) {
          (*shared_done)({}, true);
        } else {
          (*shared_done)(not_found_status(session_id), false);
        }
      });
}

void SessionManager::kill(const Caller& caller, const std::string& session_id, const std::string& reason,
                          DoneCallback done) {
  if (reason.empty()) {
    done({ErrorCode::InvalidArgument, "a kill needs a reason"});
    return;
  }
  auto shared_done = std::make_shared<DoneCallback>(std::move(done));
  with_session(
      caller, session_id, [shared_done, reason](Session& session) { session.kill(reason, std::move(*shared_done)); },
      [shared_done, session_id](bool ended) {
        (*shared_done)(ended ? Status{ErrorCode::AlreadyClosed, "session " + session_id + " has ended"}
                             : not_found_status(session_id));
      });
}

void SessionManager::renew_lease(const Caller& caller, const std::string& session_id, DoneCallback done) {
  auto shared_done = std::make_shared<DoneCallback>(std::move(done));
  with_session(
      caller, session_id,
      [shared_done](Session& session) {
        if (session.ending_decided()) {
          (*shared_done)({ErrorCode::AlreadyClosed, "session " + session.id() + " is ending"});
          return;
        }
        session.renew_lease();
        (*shared_done)({});
      },
      [shared_done, session_id](bool ended) {
        (*shared_done)(ended ? Status{ErrorCode::AlreadyClosed, "session " + session_id + " has ended"}
                             : not_found_status(session_id));
      });
}

void SessionManager::hold_lease(const Caller& caller, const std::string& session_id, bool hold) {
  with_session(
      caller, session_id, [hold](Session& session) { session.hold_lease(hold); }, [](bool /*ended*/) {});
}

void SessionManager::subscribe(const Caller& caller, const std::string& session_id, SubscribeOptions options,
                               std::function<void()> notify, SubscribeCallback done) {
  auto shared_done = std::make_shared<SubscribeCallback>(std::move(done));
  const uint64_t subscription_id = next_subscription_.fetch_add(1, std::memory_order_relaxed);
  ShardState* state = &owner_of(session_id);
  with_session(
      caller, session_id,
      [this, state, shared_done, session_id, subscription_id, options,
       notify = std::move(notify)](Session& session) mutable {
        if (session.ending_decided()) {
          (*shared_done)({ErrorCode::AlreadyClosed, "session " + session_id + " is ending"}, nullptr);
          return;
        }
        auto wake = [state, session_id, subscription_id] {
          state->shard.post([state, session_id, subscription_id] {
            if (auto found = state->sessions.find(session_id); found != state->sessions.end()) {
              found->second->room_for(subscription_id);
            }
          });
        };
        const uint64_t start_seq =
            options.resume_from ? std::max<uint64_t>(*options.resume_from, 1) : session.next_seq();
        auto subscription =
            std::make_shared<Subscription>(subscription_id, session_id, options.policy, start_seq,
                                           config_.subscriber_ring_capacity, std::move(wake), std::move(notify));
        if (Status s = session.subscribe(subscription, options.resume_from); !s.is_ok()) {
          (*shared_done)(s, nullptr);
          return;
        }
        (*shared_done)({}, std::move(subscription));
      },
      [shared_done, session_id](bool ended) {
        (*shared_done)(ended ? Status{ErrorCode::AlreadyClosed, "session " + session_id + " has ended"}
                             : not_found_status(session_id),
                       nullptr);
      });
}

void SessionManager::unsubscribe(const std::string& session_id, uint64_t subscription_id) {
  ShardState& state = owner_of(session_id);
  state.shard.post([&state, session_id, subscription_id] {
    if (auto found = state.sessions.find(session_id); found != state.sessions.end()) {
      found->second->unsubscribe(subscription_id);
    }
  });
}

void SessionManager::list(const Caller& caller, ListCallback done) {
  list_from(std::make_shared<ListWalk>(ListWalk{caller, std::move(done), {}}), 0);
}

void SessionManager::list_from(std::shared_ptr<ListWalk> walk, size_t index) {
  // The shards are visited one after another, each adding its sessions on its own
  // thread; the last one answers.
  ShardState& state = *shards_[index];
  state.shard.post([this, walk = std::move(walk), index, &state]() mutable {
    for (const auto& [id, session] : state.sessions) {
      if (walk->caller.admin || session->owner() == walk->caller.key_name) walk->found.push_back(session->info());
    }
    if (index + 1 < shards_.size()) {
      list_from(std::move(walk), index + 1);
    } else {
      walk->done(std::move(walk->found));
    }
  });
}

void SessionManager::close_all_sessions() {
  if (!started_ || stopped_) return;
  accepting_.store(false, std::memory_order_relaxed);
  std::vector<std::promise<void>> drained(shards_.size());
  std::vector<std::future<void>> waits;
  for (size_t i = 0; i < shards_.size(); ++i) {
    waits.push_back(drained[i].get_future());
    ShardState& state = *shards_[i];
    state.shard.post([&state, promise = &drained[i]] {
      if (state.sessions.empty()) {
        promise->set_value();
        return;
      }
      state.drained = promise;
      std::vector<Session*> sessions;
      for (auto& [id, session] : state.sessions) sessions.push_back(session.get());
      for (Session* session : sessions)
        session->close("gateway-shutdown", SessionEnding::Closed, [](const Status&, bool) {});
    });
  }
  for (auto& wait : waits) wait.wait();
}

void SessionManager::shutdown() {
  if (!started_ || stopped_) return;
  close_all_sessions();
  stopped_ = true;
  for (auto& state : shards_) {
    ShardState* s = state.get();
    s->shard.stop([s] { uv_close(reinterpret_cast<uv_handle_t*>(&s->lease_sweep), nullptr); });
  }
  std::error_code ignored;
  std::filesystem::remove_all(runtime_dir_, ignored);
}

}  // namespace mxgw::engine
