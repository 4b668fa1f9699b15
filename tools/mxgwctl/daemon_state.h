// What mxgwctl reads from the daemon, as values: the sessions, one session, the key
// numbers. An answer that is not what the admin API promises is a Failed outcome.
//
// Thread safety: as AdminClient: one thread.

#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/mxgwctl/admin_client.h"
#include "tools/mxgwctl/key_numbers.h"

namespace mxgw::ctl {

// GET /sessions: a JSON array of session objects.
Outcome fetch_sessions(AdminClient& admin, nlohmann::json* sessions);
// GET /sessions/<id>: one session object.
Outcome fetch_session(AdminClient& admin, const std::string& id, nlohmann::json* session);
// GET /metrics, picked.
Outcome fetch_key_numbers(AdminClient& admin, std::vector<KeyNumber>* numbers);

}  // namespace mxgw::ctl
