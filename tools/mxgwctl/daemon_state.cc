// Reading the admin API's answers.

#include "tools/mxgwctl/daemon_state.h"

#include <algorithm>

#include "tools/mxgwctl/metrics_text.h"

namespace mxgw::ctl {
namespace {

Outcome unreadable(const std::string& request, const std::string& promised) {
  return {ExitCode::Failed, "the daemon's answer to " + request + " is not " + promised};
}

}  // namespace

Outcome fetch_sessions(AdminClient& admin, nlohmann::json* sessions) {
  std::string body;
  if (Outcome o = admin.get("/sessions", &body); !o.ok()) return o;
  *sessions = nlohmann::json::parse(body, nullptr, false);
  const bool readable = sessions->is_array() &&
                        std::all_of(sessions->begin(), sessions->end(), [](const auto& s) { return s.is_object(); });
  return readable ? Outcome{} : unreadable("GET /sessions", "a JSON array of sessions");
}

Outcome fetch_session(AdminClient& admin, const std::string& id, nlohmann::json* session) {
  std::string body;
  const std::string path = admin.session_path(id);
  if (Outcome o = admin.get(path, &body); !o.ok()) return o;
  *session = nlohmann::json::parse(body, nullptr, false);
  return session->is_object() ? Outcome{} : unreadable("GET " + path, "a JSON session");
}

Outcome fetch_key_numbers(AdminClient& admin, std::vector<KeyNumber>* numbers) {
  std::string body;
  if (Outcome o = admin.get("/metrics", &body); !o.ok()) return o;
  *numbers = key_numbers(Metrics::parse(body));
  return {};
}

}  // namespace mxgw::ctl
