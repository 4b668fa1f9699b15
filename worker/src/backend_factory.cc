// Backend selection by name.

#include "worker/src/backend_factory.h"

#include "worker/src/plugin_backend.h"
#include "worker/src/replay_backend.h"
#include "worker/src/sim_backend.h"

namespace mxgw::worker {

std::unique_ptr<Backend> make_backend(std::string_view name, const BackendContext& context,
                                      std::span<const OptionPair> options, proto::HandshakeError* code,
                                      std::string* message) {
  std::unique_ptr<Backend> backend;
  *code = proto::HandshakeError::BackendOptionsRejected;
  if (!context.plugin_path.empty()) {
    bool options_rejected = false;
    backend = load_plugin_backend(context.plugin_path, options, &options_rejected, message);
    if (!backend && !options_rejected) *code = proto::HandshakeError::UnknownBackend;
  } else if (name == "sim") {
    backend = make_sim_backend(options, message);
  } else if (name == "replay") {
    backend = make_replay_backend(options, context.replay_dir, message);
  } else {
    *code = proto::HandshakeError::UnknownBackend;
    *message = "unknown backend '" + std::string(name) + "' (built in: " + std::string(kBuiltinBackends) +
               "; others need a plugin path)";
  }
  if (backend) *code = proto::HandshakeError::None;
  return backend;
}

}  // namespace mxgw::worker
