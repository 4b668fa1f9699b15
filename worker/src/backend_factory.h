// The backends mxgw-worker can host, by name: `sim`, `replay`, or a plugin loaded
// from a shared library path given by the gateway's configuration.
//
// Thread safety: pure function.

#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "worker/common/parse.h"
#include "worker/src/backend.h"

namespace mxgw::worker {

// The names accepted without a plugin path, for messages and --help.
inline constexpr std::string_view kBuiltinBackends = "sim, replay";

// Where backends find what the gateway's configuration gives them.
struct BackendContext {
  std::string plugin_path;  // non-empty: load this plugin, whatever the name
  std::string replay_dir;   // where `replay` recordings live
};

// Creates the backend `name` configured by `options`. On failure returns nullptr and
// sets *code (UnknownBackend or BackendOptionsRejected) and *message.
std::unique_ptr<Backend> make_backend(std::string_view name, const BackendContext& context,
                                      std::span<const OptionPair> options, proto::HandshakeError* code,
                                      std::string* message);

}  // namespace mxgw::worker
