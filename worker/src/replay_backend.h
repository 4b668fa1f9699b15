// The `replay` backend: a recorded CSV (worker/replay/) played back through the
// Backend interface at recorded speed, a multiple of it, or as fast as the session
// takes it, once or looping.
//
// Recordings are read from the replay directory the gateway configures (the worker's
// --replay-dir); the `file` option names a file inside it, and a path that leaves it
// (absolute, or with a ".." component) is refused. The replay clock starts at the
// first Advise, so a client that adds and advises its items receives the recording
// from its first row. Recorded items are read-only.
//
// Under backpressure the replay simply pauses and resumes where it stopped: a
// recording is finite, so nothing needs to be coalesced and nothing is lost.
//
// Thread safety: the worker's loop thread only.

#pragma once

#include <memory>
#include <span>
#include <string>

#include "worker/common/parse.h"
#include "worker/src/backend.h"

namespace mxgw::worker {

std::unique_ptr<Backend> make_replay_backend(std::span<const OptionPair> options, const std::string& replay_dir,
                                             std::string* message);

}  // namespace mxgw::worker
