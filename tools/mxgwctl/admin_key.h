// Where mxgwctl's admin key comes from: --key, else the first line of --key-file,
// else the environment variable MXGW_ADMIN_KEY. The file and the environment keep
// the key out of the process list, where --key shows it to every local user.
//
// Thread safety: reads the environment; call from main's thread only.

#pragma once

#include <optional>
#include <string>

#include "tools/mxgwctl/outcome.h"

namespace mxgw::ctl {

inline constexpr char kAdminKeyVariable[] = "MXGW_ADMIN_KEY";

// `*key` is left empty when no source gives one; an unreadable or empty key file is
// a Usage outcome.
Outcome find_admin_key(const std::optional<std::string>& flag, const std::optional<std::string>& key_file,
                       std::string* key);

}  // namespace mxgw::ctl
