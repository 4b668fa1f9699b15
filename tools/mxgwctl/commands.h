// The one-shot subcommands: list, show, kill and stats. Each asks the daemon once and
// prints the answer on stdout, as text for a person or, with `json`, as JSON for a
// script.
//
// Thread safety: main's thread only; they write to stdout.

#pragma once

#include <string>

#include "tools/mxgwctl/admin_client.h"

namespace mxgw::ctl {

Outcome list_sessions(AdminClient& admin, bool json);
Outcome show_session(AdminClient& admin, const std::string& id, bool json);
// REQUIRES: `reason` is not empty (the daemon refuses a kill without one).
Outcome kill_session(AdminClient& admin, const std::string& id, const std::string& reason, bool json);
Outcome show_stats(AdminClient& admin, bool json);

}  // namespace mxgw::ctl
