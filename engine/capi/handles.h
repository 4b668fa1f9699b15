// What the C handles of mxgw.h are inside.
//
// Lifetimes: a client's state is shared by its handle and by every session and
// subscription handle made from it, so any of them may be freed in any order; the
// engine or connection goes when the last of them does.
//
// Thread safety: `closed` flags are atomics (see each); the rest is either set
// once before the handle is handed out, or belongs to one consumer thread
// (mxgw_subscription's polling state).

#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <mxgw/mxgw.h>
#include <mxgw/status.h>

#include "engine/capi/connection.h"
#include "engine/capi/errors.h"
#include "engine/capi/lease_keeper.h"

namespace mxgw::capi {

struct ClientState {
  explicit ClientState(std::unique_ptr<Connection> c)
      : connection(std::move(c)), leases([this](const std::string& id) { connection->renew_lease(id); }) {}
  ~ClientState() { leases.stop(); }

  const std::unique_ptr<Connection> connection;
  LeaseKeeper leases;
  // Set once by mxgw_client_close. Acquire/release: a call that sees it also sees
  // the connection closed; the flag itself guards nothing else.
  std::atomic<bool> closed{false};

  bool is_closed() const noexcept { return closed.load(std::memory_order_acquire); }
};

}  // namespace mxgw::capi

struct mxgw_client {
  std::shared_ptr<mxgw::capi::ClientState> state;
};

struct mxgw_session {
  explicit mxgw_session(std::shared_ptr<mxgw::capi::ClientState> c) : client(std::move(c)) {}
  // Closes the session if the engine opened it and nobody closed it yet.
  ~mxgw_session();
  mxgw_session(const mxgw_session&) = delete;
  mxgw_session& operator=(const mxgw_session&) = delete;

  const std::shared_ptr<mxgw::capi::ClientState> client;
  std::string id;
  bool opened = false;  // set once, before the handle is handed out
  // Set once by mxgw_session_close (or by a close that found it ended). Relaxed
  // would do for the flag alone; acquire/release keeps it simple to reason about.
  std::atomic<bool> closed{false};
};

struct mxgw_subscription {
  // Stops the callback thread (if any) before anything it uses goes, and
  // unsubscribes if nobody did.
  ~mxgw_subscription();

  // Declared first so that it goes last: the source may refer to the connection.
  std::shared_ptr<mxgw::capi::ClientState> client;
  std::unique_ptr<mxgw::capi::EventSource> source;
  // The consumer's: what the last poll handed out.
  std::vector<mxgw::capi::HeldBatch> held;
  size_t held_count = 0;
  bool unsubscribed = false;
  int end_code = 0;
  // Callback mode: the thread that polls and calls back, and its stop request
  // (release by the stopper, acquire by the thread; nothing else rides on it).
  std::thread dispatcher;
  std::atomic<bool> stop_dispatch{false};
};
