// The admin port's server plumbing: libmicrohttpd without threads of its own (its
// epoll descriptor watched by a uv_poll_t, its timeouts by a uv_timer_t), each request
// handed to route_admin_request and, while the answer is pending, its connection
// suspended.

#include "tools/mxgw/admin_http.h"

#include <microhttpd.h>
#include <strings.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace mxgw::daemon {
namespace {

// Room a connection needs beyond the request head: libmicrohttpd's parsed header
// entries and the answer's status line and headers come from the same memory.
constexpr size_t kConnectionMemoryHeadroom = 4u << 10;

// Queues `response` on `connection`; with `close`, the connection closes after it.
MHD_Result queue(MHD_Connection* connection, const AdminResponse& response, bool close = false) {
  MHD_Response* out = MHD_create_response_from_buffer(response.body.size(), const_cast<char*>(response.body.data()),
                                                      MHD_RESPMEM_MUST_COPY);
  if (out == nullptr) return MHD_NO;
  bool added = MHD_add_response_header(out, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str()) == MHD_YES &&
               MHD_add_response_header(out, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES;
  for (const auto& [name, value] : response.headers) {
    added = added && MHD_add_response_header(out, name.c_str(), value.c_str()) == MHD_YES;
  }
  if (close) added = added && MHD_add_response_header(out, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
  const MHD_Result queued = added ? MHD_queue_response(connection, response.status, out) : MHD_NO;
  MHD_destroy_response(out);
  return queued;
}

AdminResponse body_too_large(size_t limit) {
  return admin_error(413, ErrorCode::InvalidArgument, "the request body exceeds " + std::to_string(limit) + " bytes");
}

// The path of a request target; an absolute-form one (RFC 9112, 3.2.2) has it after
// its authority. libmicrohttpd passes the target on as it came, query removed.
std::string path_of(std::string_view target) {
  const size_t scheme_end = target.starts_with('/') ? std::string_view::npos : target.find("://");
  if (scheme_end == std::string_view::npos) return std::string(target);
  const size_t path = target.find('/', scheme_end + 3);
  return path == std::string_view::npos ? "/" : std::string(target.substr(path));
}

// Routes match the target as sent: a session id is one path segment, so an escaped
// "/" in it must not split it ("x%2Fkill" is not a kill).
size_t keep_escaped(void*, MHD_Connection*, char* text) { return std::strlen(text); }

MHD_Result collect_authorization(void* cls, MHD_ValueKind, const char* key, const char* value) {
  if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0) {
    static_cast<std::vector<std::string>*>(cls)->emplace_back(value == nullptr ? "" : value);
  }
  return MHD_YES;
}

}  // namespace

// Owned by itself (self) from the request's head until libmicrohttpd reports it
// completed; answer callbacks hold a weak reference.
struct AdminHttp::Exchange : std::enable_shared_from_this<Exchange> {
  AdminHttp* server = nullptr;
  MHD_Connection* connection = nullptr;
  std::shared_ptr<Exchange> self;
  AdminRequest request;
  std::optional<AdminResponse> response;
  bool body_too_large = false;
  bool routed = false;
  bool suspended = false;

  void answer(AdminResponse given) {
    if (response) return;  // a second answer to the same request is ignored
    response = std::move(given);
    if (!suspended) return;  // answered from inside the handler
    suspended = false;
    server->suspended_.erase(this);
    MHD_resume_connection(connection);
    // Without a thread of its own libmicrohttpd takes up the resumed connection only
    // when it next runs; nothing on its descriptors says so.
    uv_timer_start(&server->timer_, on_timer, 0, 0);
  }
};

struct AdminHttp::Callbacks {
  static MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                               const char* upload_data, size_t* upload_data_size, void** req_cls) {
    auto* server = static_cast<AdminHttp*>(cls);
    auto* exchange = static_cast<Exchange*>(*req_cls);
    if (exchange == nullptr) return on_head(server, connection, url, method, req_cls);
    if (*upload_data_size != 0) {
      Exchange& e = *exchange;
      e.body_too_large = e.body_too_large || e.request.body.size() + *upload_data_size > server->limits_.max_body_bytes;
      if (e.body_too_large) {
        e.request.body.clear();
      } else {
        e.request.body.append(upload_data, *upload_data_size);
      }
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (exchange->body_too_large) return queue(connection, body_too_large(server->limits_.max_body_bytes), true);
    if (server->closing_) return MHD_NO;  // resumed to be closed
    if (!exchange->routed) {
      exchange->routed = true;
      std::weak_ptr<Exchange> weak = exchange->weak_from_this();
      route_admin_request(exchange->request, server->handlers_, [weak](AdminResponse response) {
        if (auto alive = weak.lock()) alive->answer(std::move(response));
      });
    }
    if (exchange->response) return queue(connection, *exchange->response);
    exchange->suspended = true;
    server->suspended_.insert(exchange);
    MHD_suspend_connection(connection);
    return MHD_YES;
  }

  // The head has arrived: keep what the routes need, and refuse at once a body that
  // is declared too large, before it is sent.
  static MHD_Result on_head(AdminHttp* server, MHD_Connection* connection, const char* url, const char* method,
                            void** req_cls) {
    auto exchange = std::make_shared<Exchange>();
    exchange->server = server;
    exchange->connection = connection;
    exchange->request.method = method;
    exchange->request.path = path_of(url);
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_authorization, &exchange->request.authorizations);
    exchange->self = exchange;
    *req_cls = exchange.get();

    const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length != nullptr) {
      const std::string_view text(length);
      uint64_t declared = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), declared);
      // libmicrohttpd refuses a Content-Length that is not a number itself.
      if (error == std::errc{} && end == text.data() + text.size() && declared > server->limits_.max_body_bytes) {
        return queue(connection, body_too_large(server->limits_.max_body_bytes), true);
      }
    }
    return MHD_YES;
  }

  static void on_completed(void*, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
    auto* exchange = static_cast<Exchange*>(*req_cls);
    if (exchange == nullptr) return;
    *req_cls = nullptr;
    std::shared_ptr<Exchange> last = std::move(exchange->self);  // deletes it on return
  }

  // Before the daemon has started, its reasons for failing; after, only reports about
  // single clients (resets, refused requests) that those clients were answered about.
  static void on_log(void* cls, const char* format, va_list arguments) {
    auto* server = static_cast<AdminHttp*>(cls);
    if (server->started_) return;
    char text[512];
    std::vsnprintf(text, sizeof text, format, arguments);
    server->start_error_ = text;
    while (!server->start_error_.empty() &&
           (server->start_error_.back() == '\n' || server->start_error_.back() == ' ')) {
      server->start_error_.pop_back();
    }
  }
};

AdminHttp* AdminHttp::listen(uv_loop_t* loop, const std::string& host, uint16_t port, Handlers handlers, Status* error,
                             Limits limits) {
  if (!handlers.metrics_text || !handlers.list_sessions || !handlers.kill_session || !handlers.authenticate) {
    *error = {ErrorCode::InvalidArgument, "every admin HTTP handler must be set"};
    return nullptr;
  }
  sockaddr_storage address{};
  bool ipv6 = false;
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) != 0) {
    ipv6 = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) == 0;
    if (!ipv6) {
      *error = {ErrorCode::InvalidArgument, "admin HTTP host is not a numeric IP address: " + host};
      return nullptr;
    }
  }
  auto* server = new AdminHttp(std::move(handlers), limits);
  const unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
  server->daemon_ = MHD_start_daemon(
      flags, port, nullptr, nullptr, &Callbacks::on_request, server, MHD_OPTION_SOCK_ADDR,
      reinterpret_cast<sockaddr*>(&address), MHD_OPTION_CONNECTION_TIMEOUT, limits.idle_timeout_s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits.max_head_bytes + kConnectionMemoryHeadroom,
      MHD_OPTION_UNESCAPE_CALLBACK, &keep_escaped, nullptr, MHD_OPTION_NOTIFY_COMPLETED, &Callbacks::on_completed,
      nullptr, MHD_OPTION_EXTERNAL_LOGGER, &Callbacks::on_log, server, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    *error = {ErrorCode::Internal,
              "cannot listen for admin HTTP on " + host + ":" + std::to_string(port) + ": " +
                  (server->start_error_.empty() ? "libmicrohttpd refused to start" : server->start_error_)};
    delete server;
    return nullptr;
  }
  server->started_ = true;
  server->bound_port_ = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  const int epoll_fd = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
  uv_timer_init(loop, &server->timer_);
  server->timer_.data = server;
  server->poll_.data = server;
  server->open_handles_ = 1;
  int status = uv_poll_init(loop, &server->poll_, epoll_fd);
  if (status == 0) {
    ++server->open_handles_;
    status = uv_poll_start(&server->poll_, UV_READABLE, on_poll);
  }
  if (status != 0) {
    *error = {ErrorCode::Internal,
              std::string("cannot watch the admin HTTP server's descriptor: ") + uv_strerror(status)};
    server->close();
    return nullptr;
  }
  server->run();
  *error = {};
  return server;
}

size_t AdminHttp::connections() const noexcept {
  return daemon_ == nullptr ? 0 : MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS)->num_connections;
}

void AdminHttp::run() {
  MHD_run(daemon_);
  MHD_UNSIGNED_LONG_LONG timeout_ms = 0;
  if (MHD_get_timeout(daemon_, &timeout_ms) == MHD_YES) {
    uv_timer_start(&timer_, on_timer, timeout_ms, 0);
  } else {
    uv_timer_stop(&timer_);
  }
}

void AdminHttp::on_poll(uv_poll_t* poll, int, int) { static_cast<AdminHttp*>(poll->data)->run(); }

void AdminHttp::on_timer(uv_timer_t* timer) { static_cast<AdminHttp*>(timer->data)->run(); }

void AdminHttp::close() {
  if (closing_) return;
  closing_ = true;
  // libmicrohttpd must not be stopped with a connection suspended: resumed, each is
  // closed unanswered (closing_ is set), and its late answer finds it gone.
  const std::vector<Exchange*> waiting(suspended_.begin(), suspended_.end());
  suspended_.clear();
  for (Exchange* exchange : waiting) {
    exchange->suspended = false;
    MHD_resume_connection(exchange->connection);
  }
  // The poll stops before the descriptor it watches is closed.
  const bool polling = open_handles_ == 2;  // listen() got as far as watching it
  if (polling) uv_poll_stop(&poll_);
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
  if (polling) uv_close(reinterpret_cast<uv_handle_t*>(&poll_), on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_handle_closed);
}

void AdminHttp::on_handle_closed(uv_handle_t* handle) {
  auto* self = static_cast<AdminHttp*>(handle->data);
  if (--self->open_handles_ == 0) delete self;
}

}  // namespace mxgw::daemon
