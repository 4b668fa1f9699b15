// list, show, kill, stats.

#include "tools/mxgwctl/commands.h"

#include <cstdio>

#include <mxgw/clock.h>

#include "tools/mxgwctl/daemon_state.h"
#include "tools/mxgwctl/session_view.h"

namespace mxgw::ctl {
namespace {

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace

Outcome list_sessions(AdminClient& admin, bool json) {
  nlohmann::json sessions;
  if (Outcome o = fetch_sessions(admin, &sessions); !o.ok()) return o;
  print(json ? sessions.dump(2) + "\n" : session_table(sessions, wall_clock_ns()));
  return {};
}

Outcome show_session(AdminClient& admin, const std::string& id, bool json) {
  nlohmann::json session;
  if (Outcome o = fetch_session(admin, id, &session); !o.ok()) return o;
  print(json ? session.dump(2) + "\n" : session_fields(session, wall_clock_ns()));
  return {};
}

Outcome kill_session(AdminClient& admin, const std::string& id, const std::string& reason, bool json) {
  std::string body;
  // A reason typed in another encoding is sent with its bad bytes replaced, not refused.
  const std::string request =
      nlohmann::json{{"reason", reason}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (Outcome o = admin.post_json(admin.session_path(id) + "/kill", request, &body); !o.ok()) return o;
  print(json ? body + "\n" : "killed " + id + "\n");
  return {};
}

Outcome show_stats(AdminClient& admin, bool json) {
  std::vector<KeyNumber> numbers;
  if (Outcome o = fetch_key_numbers(admin, &numbers); !o.ok()) return o;
  print(json ? key_numbers_json(numbers) : key_numbers_table(numbers));
  return {};
}

}  // namespace mxgw::ctl
