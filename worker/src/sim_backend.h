// The `sim` backend: the simulated galaxy (worker/sim/) served through the Backend
// interface. Numeric updates are written by the scheduler straight into the open
// event batch; buffered items run on a scheduler of their own whose updates become
// buffered samples.
//
// Users, for AuthenticateUser/WriteSecured: operator, engineer and supervisor, each
// with its name as password and a fixed GUID (sim_users.cc). They exist to exercise
// the secured-write paths, not to protect anything.
//
// Thread safety: the worker's loop thread only.

#pragma once

#include <memory>
#include <span>
#include <string>

#include "worker/common/parse.h"
#include "worker/src/backend.h"

namespace mxgw::worker {

// Creates a sim backend from the session's options (worker/sim/options.h); on bad
// options returns nullptr and the reason in *message.
std::unique_ptr<Backend> make_sim_backend(std::span<const OptionPair> options, std::string* message);

}  // namespace mxgw::worker
