// AdminHttp: the operator's HTTP/1.1 port, serving the admin routes (admin_routes.h:
// health, Prometheus metrics, the session list, one session, session kill) with
// libmicrohttpd driven by a libuv loop.
//
// The HTTP protocol is libmicrohttpd's: keep-alive, pipelining (one request at a time,
// answers in order), "Expect: 100-continue", HTTP/1.0, absolute-form targets. What its
// parser refuses it answers itself, with its own short HTML body, and closes the
// connection: a malformed request 400 (a request line it cannot read at all is closed
// unanswered), an HTTP version other than 1.x 505, and a head that does not fit the
// connection's memory (max_head_bytes and a little room for libmicrohttpd's own
// bookkeeping) 431, or 414 when the request line alone is too long; a head that fits
// but leaves no room to answer is closed unanswered. A body over max_body_bytes is
// answered 413 with the JSON error body and the connection closes: at once when
// Content-Length declares it, once it has ended (read and discarded) when a chunked
// body grows past the limit, since libmicrohttpd answers only whole requests. A
// connection with no traffic for idle_timeout_s is closed; one whose request is with a
// handler is not.
//
// Lifetime: like transport::Listener, an AdminHttp owns itself: close() stops
// accepting, closes every connection and deletes the object once libuv has closed its
// handles. An asynchronous answer that arrives after its connection closed is dropped.
//
// Thread safety: none. listen(), close(), every handler and every answer callback run
// on the loop's thread.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>

#include <uv.h>

#include <mxgw/status.h>

#include "tools/mxgw/admin_routes.h"

struct MHD_Daemon;

namespace mxgw::daemon {

// Outside AdminHttp so that it is complete where listen() uses it as a default.
struct AdminHttpLimits {
  size_t max_head_bytes = 16u << 10;
  size_t max_body_bytes = 64u << 10;
  // Whole seconds: libmicrohttpd's granularity.
  unsigned idle_timeout_s = 30;
};

class AdminHttp {
 public:
  using Handlers = AdminHandlers;
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
  struct Exchange;   // one request, from its head to its answer
  struct Callbacks;  // libmicrohttpd's, in admin_http.cc

  AdminHttp(Handlers handlers, Limits limits) : handlers_(std::move(handlers)), limits_(limits) {}
  ~AdminHttp() = default;
  // Lets libmicrohttpd do what is ready, then arms the timer for what it will do next.
  void run();
  static void on_poll(uv_poll_t* poll, int status, int events);
  static void on_timer(uv_timer_t* timer);
  static void on_handle_closed(uv_handle_t* handle);

  Handlers handlers_;
  Limits limits_;
  MHD_Daemon* daemon_ = nullptr;
  uv_poll_t poll_;  // on libmicrohttpd's epoll descriptor
  uv_timer_t timer_;
  int open_handles_ = 0;
  std::unordered_set<Exchange*> suspended_;  // waiting for a handler's answer
  std::string start_error_;                  // what libmicrohttpd reported while starting
  uint16_t bound_port_ = 0;
  bool started_ = false;
  bool closing_ = false;
};

}  // namespace mxgw::daemon
