// The admin port's routes, apart from any HTTP server: a parsed request goes in, a
// response comes out through a callback (at once, or later from an engine answer).
//
//   GET  /healthz               200 "ok"
//   GET  /metrics               200 text/plain; version=0.0.4
//   GET  /sessions              admin key: 200 JSON array of every session
//   GET  /sessions/<id>         admin key: 200 JSON object of that session, or 404
//   POST /sessions/<id>/kill    admin key, body {"reason": "…"}: 200 {"killed": "<id>"}
//
// Keys come as "Authorization: Bearer <key>": none or an unknown one is 401, a client
// key 403, more than one Authorization header 400. Every error body is JSON
// {"error": "<CodeName>", "message": "…"}, with the HTTP status mapped from the code
// (NotFound 404, InvalidArgument 400, Unauthenticated 401, PermissionDenied 403,
// AlreadyClosed 409, ShuttingDown 503, anything else 500); an unknown path is 404 and
// a known path with the wrong method 405.
//
// Thread safety: none; the handlers run on the caller's thread.

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mxgw/status.h>

#include "engine/core/session_types.h"

namespace mxgw::daemon {

// Every handler must be set. The asynchronous ones answer through their callback, at
// once or later on the same thread, exactly once.
struct AdminHandlers {
  std::function<std::string()> metrics_text;
  std::function<void(const engine::Caller&, std::function<void(std::vector<engine::SessionInfo>)>)> list_sessions;
  std::function<void(const engine::Caller&, const std::string& id, const std::string& reason,
                     std::function<void(Status)>)>
      kill_session;
  std::function<std::optional<engine::Caller>(std::string_view key)> authenticate;
};

struct AdminRequest {
  std::string method;                       // "GET", "POST", …
  std::string path;                         // without the query string
  std::vector<std::string> authorizations;  // the value of every Authorization header
  std::string body;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
};

// A JSON error body {"error": name of `code`, "message": `message`} with `http_status`.
AdminResponse admin_error(int http_status, ErrorCode code, std::string_view message);

// Answers `request` through `reply`, exactly once.
void route_admin_request(const AdminRequest& request, const AdminHandlers& handlers,
                         std::function<void(AdminResponse)> reply);

}  // namespace mxgw::daemon
