// The admin routes: paths and methods to handlers, answers as JSON (nlohmann/json) or
// text.

#include "tools/mxgw/admin_routes.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace mxgw::daemon {
namespace {

using nlohmann::json;

int http_status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::InvalidArgument:
      return 400;
    case ErrorCode::Unauthenticated:
      return 401;
    case ErrorCode::PermissionDenied:
      return 403;
    case ErrorCode::AlreadyClosed:
      return 409;
    case ErrorCode::ShuttingDown:
      return 503;
    default:
      return 500;
  }
}

// Strings from clients and workers need not be UTF-8: replace what is not, rather
// than fail the whole answer.
std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

AdminResponse error_of(const Status& status) {
  return admin_error(http_status_of(status.code()), status.code(),
                     status.message().empty() ? error_code_description(status.code()) : status.message());
}

AdminResponse not_allowed(std::string_view path, std::string_view allow) {
  AdminResponse response =
      admin_error(405, ErrorCode::InvalidArgument, std::string(path) + " allows only " + std::string(allow));
  response.headers.emplace_back("Allow", allow);
  return response;
}

AdminResponse json_response(const json& value) {
  AdminResponse response;
  response.content_type = "application/json";
  response.body = dump(value);
  return response;
}

json session_json(const engine::SessionInfo& info) {
  return json{{"session_id", info.session_id},
              {"correlation_id", info.correlation_id},
              {"backend", info.backend},
              {"owner", info.owner},
              {"state", proto::EnumNameSessionState(info.state)},
              {"state_reason", info.state_reason},
              {"shard", info.shard},
              {"worker_pid", info.worker_pid},
              {"command_timeout_ms", info.command_timeout_ms},
              {"created_ns", info.created_ns},
              {"lease_expires_ns", info.lease_expires_ns},
              {"lease_ms", info.lease_ms},
              {"subscribers", info.subscribers},
              {"events_in", info.events_in},
              {"events_out", info.events_out},
              {"next_seq", info.next_seq}};
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The caller behind the request's admin key, or nullopt with `*refusal` set.
std::optional<engine::Caller> admin_caller(const AdminRequest& request, const AdminHandlers& handlers,
                                           AdminResponse* refusal) {
  if (request.authorizations.size() != 1) {
    *refusal =
        request.authorizations.empty()
            ? admin_error(401, ErrorCode::Unauthenticated, "an admin key is required (Authorization: Bearer <key>)")
            : admin_error(400, ErrorCode::InvalidArgument, "more than one Authorization header");
    return std::nullopt;
  }
  const std::string_view value = trim(request.authorizations.front());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme)) {
    *refusal = admin_error(401, ErrorCode::Unauthenticated, "the Authorization header must use the Bearer scheme");
    return std::nullopt;
  }
  std::optional<engine::Caller> caller = handlers.authenticate(trim(value.substr(kScheme.size())));
  if (!caller) {
    *refusal = admin_error(401, ErrorCode::Unauthenticated, "unknown key");
  } else if (!caller->admin) {
    *refusal = admin_error(403, ErrorCode::PermissionDenied,
                           "key '" + caller->key_name + "' is a client key; this request needs an admin key");
    caller.reset();
  }
  return caller;
}

}  // namespace

AdminResponse admin_error(int http_status, ErrorCode code, std::string_view message) {
  AdminResponse response;
  response.status = http_status;
  response.content_type = "application/json";
  response.body = dump(json{{"error", error_code_name(code)}, {"message", message}});
  if (http_status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"mxgw\"");
  return response;
}

void route_admin_request(const AdminRequest& request, const AdminHandlers& handlers,
                         std::function<void(AdminResponse)> reply) {
  const std::string& path = request.path;
  const bool get = request.method == "GET";

  if (path == "/healthz" || path == "/metrics") {
    if (!get) return reply(not_allowed(path, "GET"));
    AdminResponse response;
    if (path == "/healthz") {
      response.body = "ok";
    } else {
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body = handlers.metrics_text();
    }
    return reply(std::move(response));
  }

  constexpr std::string_view kSessions = "/sessions", kKill = "/kill";
  const bool sessions = path == kSessions;
  const bool one = path.size() > kSessions.size() + 1 && path.starts_with("/sessions/") &&
                   path.find('/', kSessions.size() + 1) == std::string::npos;
  const bool kill = path.size() > kSessions.size() + 1 + kKill.size() && path.starts_with("/sessions/") &&
                    path.ends_with(kKill) && path.find('/', kSessions.size() + 1) == path.size() - kKill.size();
  if (!sessions && !one && !kill) return reply(admin_error(404, ErrorCode::NotFound, "no route for " + path));
  if ((sessions || one) && !get) return reply(not_allowed(path, "GET"));
  if (kill && request.method != "POST") return reply(not_allowed(path, "POST"));

  AdminResponse refusal;
  const std::optional<engine::Caller> caller = admin_caller(request, handlers, &refusal);
  if (!caller) return reply(std::move(refusal));

  if (sessions) {
    handlers.list_sessions(*caller, [reply](std::vector<engine::SessionInfo> found) {
      json list = json::array();
      for (const engine::SessionInfo& info : found) list.push_back(session_json(info));
      reply(json_response(list));
    });
    return;
  }
  if (one) {
    // Picked from the list: the engine keeps no index by id across shards, and an
    // operator's look-up need not be cheaper than the list it came from.
    handlers.list_sessions(
        *caller, [reply, id = path.substr(kSessions.size() + 1)](std::vector<engine::SessionInfo> found) {
          const auto match = std::find_if(found.begin(), found.end(),
                                          [&id](const engine::SessionInfo& info) { return info.session_id == id; });
          reply(match == found.end() ? admin_error(404, ErrorCode::NotFound, "no session " + id)
                                     : json_response(session_json(*match)));
        });
    return;
  }
  const std::string id = path.substr(kSessions.size() + 1, path.size() - kSessions.size() - 1 - kKill.size());
  const json body = json::parse(request.body, nullptr, false);
  const auto reason = body.is_object() ? body.find("reason") : body.end();
  if (!body.is_object() || reason == body.end() || !reason->is_string() ||
      reason->get_ref<const std::string&>().empty()) {
    return reply(admin_error(400, ErrorCode::InvalidArgument,
                             "the body must be a JSON object with a non-empty string \"reason\""));
  }
  handlers.kill_session(*caller, id, reason->get<std::string>(), [reply, id](Status status) {
    reply(status ? json_response(json{{"killed", id}}) : error_of(status));
  });
}

}  // namespace mxgw::daemon
