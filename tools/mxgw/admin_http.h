// AdminHttp: the operator's HTTP/1.1 port: health, Prometheus metrics, the session
// list, one session, and session kill.
//
//   GET  /healthz               200 "ok"
//   GET  /metrics               200 text/plain; version=0.0.4
//   GET  /sessions              admin key: 200 JSON array of every session
//   GET  /sessions/<id>         admin key: 200 JSON object of that session, or 404
//   POST /sessions/<id>/kill    admin key, body {"reason": "…"}: 200 {"killed": "<id>"}
//
// Keys come as "Authorization: Bearer <key>": none or an unknown one is 401, a client
// key 403. Every error body is JSON {"error": "<CodeName>", "message": "…"}, with the
// HTTP status mapped from the code (NotFound 404, InvalidArgument 400,
// Unauthenticated 401, PermissionDenied 403, AlreadyClosed 409, ShuttingDown 503,
// anything else 500); an unknown path is 404 and a known path with the wrong method
// 405. Requests are parsed by http-parser, not by hand. Limits: a request head over
// max_head_bytes or a body over max_body_bytes is answered 413, a malformed request
// 400, an HTTP version other than 1.x 505, and each closes the connection; keep-alive and pipelining are supported (one
// request is handled at a time, answers go out in order); a connection that has not
// delivered a whole request within idle_timeout_ms of its last answer (or of
// connecting) is closed, which bounds idle and slow-drip connections alike.
//
// Lifetime: like transport::Listener, an AdminHttp owns itself: close() stops
// accepting, closes every connection and deletes the object once libuv has closed
// its handle. An asynchronous answer that arrives after its connection closed is
// dropped.
//
// Thread safety: none. listen(), close(), every handler and every answer callback run
// on the loop's thread.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include <mxgw/status.h>

#include "engine/core/session_types.h"

namespace mxgw::daemon {

// Outside AdminHttp so that it is complete where listen() uses it as a default.
struct AdminHttpLimits {
  size_t max_head_bytes = 16u << 10;
  size_t max_body_bytes = 64u << 10;
  uint64_t idle_timeout_ms = 30'000;
};

class AdminHttp {
 public:
  // Every handler must be set. The asynchronous ones answer through their callback,
  // at once or on a later turn of the same loop, exactly once.
  struct Handlers {
    std::function<std::string()> metrics_text;
    std::function<void(const engine::Caller&, std::function<void(std::vector<engine::SessionInfo>)>)> list_sessions;
    std::function<void(const engine::Caller&, const std::string& id, const std::string& reason,
                       std::function<void(Status)>)>
        kill_session;
    std::function<std::optional<engine::Caller>(std::string_view key)> authenticate;
  };

  using Limits = AdminHttpLimits;

  // Listens on `host` (a numeric IPv4/IPv6 address) and `port` (0: any free port;
  // bound_port() tells which). On failure returns nullptr and sets `*error`.
  static AdminHttp* listen(uv_loop_t* loop, const std::string& host, uint16_t port, Handlers handlers, Status* error,
                           Limits limits = {});

  AdminHttp(const AdminHttp&) = delete;
  AdminHttp& operator=(const AdminHttp&) = delete;

  uint16_t bound_port() const noexcept { return bound_port_; }
  // Connections open now.
  size_t connections() const noexcept;

  void close();

 private:
  struct Shared;  // what the server and its connections share
  class Connection;

  AdminHttp() = default;
  ~AdminHttp() = default;
  static void on_connection(uv_stream_t* server, int status);
  static void on_closed(uv_handle_t* handle);

  uv_tcp_t tcp_;
  std::shared_ptr<Shared> shared_;
  uint16_t bound_port_ = 0;
  bool closing_ = false;
};

}  // namespace mxgw::daemon
