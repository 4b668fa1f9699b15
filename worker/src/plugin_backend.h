// PluginBackend: a Backend implemented by a shared library through the C ABI in
// <mxgw/mxgw_plugin.h>, loaded with dlopen from a path in the gateway's configuration.
//
// Thread safety: the worker's loop thread only, as every Backend.

#pragma once

#include <memory>
#include <span>
#include <string>

#include "worker/common/parse.h"
#include "worker/src/backend.h"

namespace mxgw::worker {

// Loads the plugin at `path` and creates an instance with `options`. On failure
// returns nullptr with *message saying why (missing file, missing entry point, ABI
// version mismatch, options rejected) and *options_rejected telling which kind.
std::unique_ptr<Backend> load_plugin_backend(const std::string& path, std::span<const OptionPair> options,
                                             bool* options_rejected, std::string* message);

}  // namespace mxgw::worker
