// `mxgw keys add`: creates an API key, appends its salted hash to the keys file
// (created 0600 if missing) and prints the key, which is shown this once only.
//
// Thread safety: a command-line action; run once.

#pragma once

#include <string>

namespace mxgw::daemon {

// Returns the process exit code.
int add_key(const std::string& keys_file, const std::string& name, const std::string& role);

}  // namespace mxgw::daemon
