// The admin HTTP server: connections on a libuv loop, requests parsed by http-parser,
// routes answered with JSON (nlohmann/json) or text.

#include "tools/mxgw/admin_http.h"

#include <http_parser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

namespace mxgw::daemon {
namespace {

using nlohmann::json;

// A client that pipelines requests without reading the answers stops being read once
// this much is waiting to be written.
constexpr size_t kMaxQueuedWriteBytes = 1u << 20;
// After a final answer, how long the rest of a request is read and discarded so that
// closing does not reset the connection before the client has read the answer.
constexpr uint64_t kLingerMs = 2'000;

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string extra_headers;  // whole header lines, each ending in "\r\n"
};

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Internal Server Error";
  }
}

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

Response error_response(int http_status, ErrorCode code, std::string_view message) {
  Response response;
  response.status = http_status;
  response.content_type = "application/json";
  response.body = dump(json{{"error", error_code_name(code)}, {"message", message}});
  if (http_status == 401) response.extra_headers = "WWW-Authenticate: Bearer realm=\"mxgw\"\r\n";
  return response;
}

Response error_response(const Status& status) {
  return error_response(http_status_of(status.code()), status.code(),
                        status.message().empty() ? error_code_description(status.code()) : status.message());
}

Response not_allowed(std::string_view path, std::string_view allow) {
  Response response =
      error_response(405, ErrorCode::InvalidArgument, std::string(path) + " allows only " + std::string(allow));
  response.extra_headers = "Allow: " + std::string(allow) + "\r\n";
  return response;
}

Response json_response(const json& value) {
  Response response;
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

}  // namespace

struct AdminHttp::Shared {
  uv_loop_t* loop = nullptr;
  Handlers handlers;
  Limits limits;
  std::unordered_set<Connection*> open;
};

// One client connection. It parses one request at a time: the parser pauses at the
// end of each head (so the head's size is exact) and at the end of each message, the
// request is answered, and only then are the bytes after it parsed. Owned by self_
// until both its handles are closed; answer callbacks hold a weak reference.
class AdminHttp::Connection : public std::enable_shared_from_this<Connection> {
 public:
  static void accept(uv_stream_t* server, const std::shared_ptr<Shared>& shared);
  // Closes at once, answering nothing more.
  void abort();

 private:
  struct Request {
    std::string url;
    std::string field;
    std::string value;
    bool in_value = false;
    std::string authorization;
    int authorization_headers = 0;
    bool expect_continue = false;
    std::string body;
    unsigned method = 0;
    bool keep_alive = true;
    bool http10 = false;
  };
  struct WriteRequest {
    uv_write_t req;
    std::string bytes;
  };

  explicit Connection(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  void pump();
  void dispatch(Request request);
  void route(const Request& request, std::function<void(Response)> reply);
  std::optional<engine::Caller> admin_caller(const Request& request, Response* refusal) const;
  void answer(uint64_t number, bool keep_alive, bool http10, const Response& response);
  void fail(int http_status, std::string_view message);
  void write(std::string bytes);
  void finish();
  void update_reading();
  bool write_blocked() const {
    return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&tcp_)) > kMaxQueuedWriteBytes;
  }
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  void arm_timer(uint64_t ms);
  void end_header();

  static const http_parser_settings& settings();
  static Connection* of(http_parser* parser) { return static_cast<Connection*>(parser->data); }
  static int on_url(http_parser* parser, const char* at, size_t length);
  static int on_header_field(http_parser* parser, const char* at, size_t length);
  static int on_header_value(http_parser* parser, const char* at, size_t length);
  static int on_headers_complete(http_parser* parser);
  static int on_body(http_parser* parser, const char* at, size_t length);
  static int on_message_complete(http_parser* parser);
  static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_timer(uv_timer_t* timer);
  static void on_handle_closed(uv_handle_t* handle);

  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Connection> self_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_shutdown_t shutdown_;
  int open_handles_ = 0;
  http_parser parser_;
  Request request_;
  std::string pending_;  // received, not yet parsed
  std::array<char, 16384> read_buffer_;
  size_t head_bytes_ = 0;
  bool head_done_ = false;
  bool message_done_ = false;
  bool too_large_ = false;
  bool awaiting_ = false;  // a request is with a handler
  uint64_t requests_ = 0;  // numbers answers, so a late or repeated one is ignored
  bool pumping_ = false;
  bool reading_ = false;
  bool read_ended_ = false;
  bool lingering_ = false;
  bool closing_ = false;
};

// ---- accepting and closing --------------------------------------------------

void AdminHttp::Connection::accept(uv_stream_t* server, const std::shared_ptr<Shared>& shared) {
  std::shared_ptr<Connection> connection(new Connection(shared));
  Connection* self = connection.get();
  self->self_ = std::move(connection);
  uv_tcp_init(shared->loop, &self->tcp_);
  uv_timer_init(shared->loop, &self->timer_);
  self->tcp_.data = self;
  self->timer_.data = self;
  self->open_handles_ = 2;
  shared->open.insert(self);
  if (uv_accept(server, self->stream()) != 0) {
    self->abort();
    return;
  }
  uv_tcp_nodelay(&self->tcp_, 1);
  http_parser_init(&self->parser_, HTTP_REQUEST);
  self->parser_.data = self;
  self->arm_timer(shared->limits.idle_timeout_ms);
  self->update_reading();
}

void AdminHttp::Connection::abort() {
  if (closing_) return;
  closing_ = true;
  shared_->open.erase(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_handle_closed);
}

void AdminHttp::Connection::on_handle_closed(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  if (--self->open_handles_ > 0) return;
  std::shared_ptr<Connection> last = std::move(self->self_);  // deletes it on return
}

// Sends what is queued, then closes the write side and reads until the client closes
// too (or kLingerMs pass), discarding what it still sends.
void AdminHttp::Connection::finish() {
  if (closing_ || lingering_) return;
  lingering_ = true;
  shutdown_.data = this;
  if (uv_shutdown(&shutdown_, stream(), on_shutdown) != 0) {
    abort();
    return;
  }
  arm_timer(std::min(kLingerMs, shared_->limits.idle_timeout_ms));
  update_reading();
}

void AdminHttp::Connection::on_shutdown(uv_shutdown_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  // A client that has finished sending has nothing left to drain.
  if (status != 0 || self->read_ended_) self->abort();
}

void AdminHttp::Connection::arm_timer(uint64_t ms) { uv_timer_start(&timer_, on_timer, ms, 0); }

void AdminHttp::Connection::on_timer(uv_timer_t* timer) { static_cast<Connection*>(timer->data)->abort(); }

// ---- reading and writing ----------------------------------------------------

void AdminHttp::Connection::update_reading() {
  if (closing_) return;
  const bool want = !read_ended_ && (lingering_ || (!awaiting_ && !write_blocked()));
  if (want == reading_) return;
  reading_ = want;
  if (!want) {
    uv_read_stop(stream());
  } else if (uv_read_start(stream(), on_alloc, on_read) != 0) {
    abort();
  }
}

void AdminHttp::Connection::on_alloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->read_buffer_.data(), static_cast<unsigned>(self->read_buffer_.size()));
}

void AdminHttp::Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread == 0) return;
  if (nread < 0) {
    if (self->lingering_ || nread != UV_EOF) {
      self->abort();
      return;
    }
    // The client has sent everything: answer what it sent, then close. libuv has
    // stopped reading.
    self->read_ended_ = true;
    self->reading_ = false;
    self->pump();
    return;
  }
  if (self->lingering_) return;
  self->pending_.append(buf->base, static_cast<size_t>(nread));
  self->pump();
}

void AdminHttp::Connection::write(std::string bytes) {
  auto* request = new WriteRequest{};
  request->bytes = std::move(bytes);
  request->req.data = this;
  const uv_buf_t buf = uv_buf_init(request->bytes.data(), static_cast<unsigned>(request->bytes.size()));
  if (uv_write(&request->req, stream(), &buf, 1, on_write) != 0) {
    delete request;
    abort();
  }
}

void AdminHttp::Connection::on_write(uv_write_t* req, int status) {
  auto* request = reinterpret_cast<WriteRequest*>(req);
  auto* self = static_cast<Connection*>(req->data);
  delete request;
  if (self->closing_) return;
  if (status != 0) {
    self->abort();
    return;
  }
  if (!self->write_blocked()) self->pump();
}

// ---- parsing ------------------------------------------------------------------

const http_parser_settings& AdminHttp::Connection::settings() {
  static const http_parser_settings parser_settings = [] {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_url = on_url;
    s.on_header_field = on_header_field;
    s.on_header_value = on_header_value;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return parser_settings;
}

int AdminHttp::Connection::on_url(http_parser* parser, const char* at, size_t length) {
  of(parser)->request_.url.append(at, length);
  return 0;
}

void AdminHttp::Connection::end_header() {
  Request& r = request_;
  if (!r.in_value) return;
  if (iequals(r.field, "authorization")) {
    r.authorization = r.value;
    ++r.authorization_headers;
  } else if (iequals(r.field, "expect") && iequals(trim(r.value), "100-continue")) {
    r.expect_continue = true;
  }
  r.field.clear();
  r.value.clear();
  r.in_value = false;
}

int AdminHttp::Connection::on_header_field(http_parser* parser, const char* at, size_t length) {
  Connection* self = of(parser);
  self->end_header();
  self->request_.field.append(at, length);
  return 0;
}

int AdminHttp::Connection::on_header_value(http_parser* parser, const char* at, size_t length) {
  Connection* self = of(parser);
  self->request_.in_value = true;
  self->request_.value.append(at, length);
  return 0;
}

int AdminHttp::Connection::on_headers_complete(http_parser* parser) {
  Connection* self = of(parser);
  self->end_header();
  if ((parser->flags & F_CONTENTLENGTH) != 0 && parser->content_length > self->shared_->limits.max_body_bytes) {
    self->too_large_ = true;
    return -1;
  }
  http_parser_pause(parser, 1);
  return 0;
}

int AdminHttp::Connection::on_body(http_parser* parser, const char* at, size_t length) {
  Connection* self = of(parser);
  if (self->request_.body.size() + length > self->shared_->limits.max_body_bytes) {
    self->too_large_ = true;
    return -1;
  }
  self->request_.body.append(at, length);
  return 0;
}

int AdminHttp::Connection::on_message_complete(http_parser* parser) {
  Connection* self = of(parser);
  self->request_.method = parser->method;
  self->request_.keep_alive = http_should_keep_alive(parser) != 0 && parser->upgrade == 0;
  self->request_.http10 = parser->http_major == 1 && parser->http_minor == 0;
  self->message_done_ = true;
  http_parser_pause(parser, 1);
  return 0;
}

// Parses what has arrived, one request at a time, while no request is with a handler.
// Re-entrant calls (an answer given synchronously from inside dispatch) return at once:
// the loop below picks up where they left off.
void AdminHttp::Connection::pump() {
  if (pumping_) return;
  pumping_ = true;
  while (!closing_ && !lingering_ && !awaiting_ && !pending_.empty() && !write_blocked()) {
    const bool counting_head = !head_done_;
    const size_t consumed = http_parser_execute(&parser_, &settings(), pending_.data(), pending_.size());
    pending_.erase(0, consumed);
    const auto error = static_cast<http_errno>(parser_.http_errno);
    if (counting_head) {
      // Paused at the end of the head, the parser has not yet consumed the head's
      // final LF: it does so when it resumes (the size test at the limit checks this).
      head_bytes_ += consumed + (error == HPE_PAUSED && !message_done_ ? 1 : 0);
    }
    if (counting_head && head_bytes_ > shared_->limits.max_head_bytes) {
      fail(413, "the request head exceeds " + std::to_string(shared_->limits.max_head_bytes) + " bytes");
      break;
    }
    if (error == HPE_PAUSED) {
      http_parser_pause(&parser_, 0);
      if (message_done_) {
        Request request = std::exchange(request_, Request{});
        message_done_ = false;
        head_done_ = false;
        head_bytes_ = 0;
        dispatch(std::move(request));
      } else if (parser_.http_major != 1) {
        fail(505, "HTTP/" + std::to_string(parser_.http_major) + "." + std::to_string(parser_.http_minor) +
                      " is not supported; use HTTP/1.1");
        break;
      } else {
        head_done_ = true;
        const bool has_body = (parser_.flags & F_CHUNKED) != 0 || parser_.content_length > 0;
        if (request_.expect_continue && has_body) write("HTTP/1.1 100 Continue\r\n\r\n");
      }
      continue;
    }
    if (error == HPE_HEADER_OVERFLOW) {
      fail(413, "the request head exceeds the parser's limit");
    } else if (too_large_) {
      fail(413, "the request body exceeds " + std::to_string(shared_->limits.max_body_bytes) + " bytes");
    } else if (error != HPE_OK) {
      fail(400, std::string("malformed HTTP request: ") + http_errno_description(error));
    }
    if (error != HPE_OK) break;
  }
  pumping_ = false;
  if (read_ended_ && !awaiting_ && pending_.empty()) {
    finish();
    return;
  }
  update_reading();
}

void AdminHttp::Connection::fail(int http_status, std::string_view message) {
  const Response response = error_response(http_status, ErrorCode::InvalidArgument, message);
  answer(requests_, false, false, response);
}

// ---- answering ------------------------------------------------------------------

void AdminHttp::Connection::dispatch(Request request) {
  const uint64_t number = ++requests_;
  awaiting_ = true;
  uv_timer_stop(&timer_);
  update_reading();
  const bool keep_alive = request.keep_alive;
  const bool http10 = request.http10;
  std::weak_ptr<Connection> weak = weak_from_this();
  route(request, [weak, number, keep_alive, http10](Response response) {
    if (auto self = weak.lock()) self->answer(number, keep_alive, http10, response);
  });
}

void AdminHttp::Connection::answer(uint64_t number, bool keep_alive, bool http10, const Response& response) {
  if (closing_ || lingering_ || number != requests_) return;
  awaiting_ = false;
  ++requests_;  // a second answer to the same request is ignored
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + ' ' + std::string(reason_phrase(response.status)) +
                    "\r\nContent-Type: " + response.content_type +
                    "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\nCache-Control: no-store\r\n" +
                    response.extra_headers;
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (http10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  out += response.body;
  write(std::move(out));
  if (closing_) return;
  if (!keep_alive) {
    finish();
    return;
  }
  arm_timer(shared_->limits.idle_timeout_ms);
  pump();
}

std::optional<engine::Caller> AdminHttp::Connection::admin_caller(const Request& request, Response* refusal) const {
  if (request.authorization_headers != 1) {
    *refusal =
        request.authorization_headers == 0
            ? error_response(401, ErrorCode::Unauthenticated, "an admin key is required (Authorization: Bearer <key>)")
            : error_response(400, ErrorCode::InvalidArgument, "more than one Authorization header");
    return std::nullopt;
  }
  const std::string_view value = trim(request.authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme)) {
    *refusal = error_response(401, ErrorCode::Unauthenticated, "the Authorization header must use the Bearer scheme");
    return std::nullopt;
  }
  std::optional<engine::Caller> caller = shared_->handlers.authenticate(trim(value.substr(kScheme.size())));
  if (!caller) {
    *refusal = error_response(401, ErrorCode::Unauthenticated, "unknown key");
  } else if (!caller->admin) {
    *refusal = error_response(403, ErrorCode::PermissionDenied,
                              "key '" + caller->key_name + "' is a client key; this request needs an admin key");
    caller.reset();
  }
  return caller;
}

void AdminHttp::Connection::route(const Request& request, std::function<void(Response)> reply) {
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(request.url.data(), request.url.size(), 0, &url) != 0 ||
      (url.field_set & (1u << UF_PATH)) == 0) {
    reply(error_response(400, ErrorCode::InvalidArgument, "malformed request target: " + request.url));
    return;
  }
  const std::string path = request.url.substr(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
  const bool get = request.method == HTTP_GET;
  const Handlers& handlers = shared_->handlers;

  if (path == "/healthz" || path == "/metrics") {
    if (!get) return reply(not_allowed(path, "GET"));
    Response response;
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
  if (!sessions && !one && !kill) return reply(error_response(404, ErrorCode::NotFound, "no route for " + path));
  if ((sessions || one) && !get) return reply(not_allowed(path, "GET"));
  if (kill && request.method != HTTP_POST) return reply(not_allowed(path, "POST"));

  Response refusal;
  const std::optional<engine::Caller> caller = admin_caller(request, &refusal);
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
          reply(match == found.end() ? error_response(404, ErrorCode::NotFound, "no session " + id)
                                     : json_response(session_json(*match)));
        });
    return;
  }
  const std::string id = path.substr(kSessions.size() + 1, path.size() - kSessions.size() - 1 - kKill.size());
  const json body = json::parse(request.body, nullptr, false);
  const auto reason = body.is_object() ? body.find("reason") : body.end();
  if (!body.is_object() || reason == body.end() || !reason->is_string() ||
      reason->get_ref<const std::string&>().empty()) {
    return reply(error_response(400, ErrorCode::InvalidArgument,
                                "the body must be a JSON object with a non-empty string \"reason\""));
  }
  handlers.kill_session(*caller, id, reason->get<std::string>(), [reply, id](Status status) {
    reply(status ? json_response(json{{"killed", id}}) : error_response(status));
  });
}

// ---- the server ---------------------------------------------------------------

AdminHttp* AdminHttp::listen(uv_loop_t* loop, const std::string& host, uint16_t port, Handlers handlers, Status* error,
                             Limits limits) {
  if (!handlers.metrics_text || !handlers.list_sessions || !handlers.kill_session || !handlers.authenticate) {
    *error = {ErrorCode::InvalidArgument, "every admin HTTP handler must be set"};
    return nullptr;
  }
  sockaddr_storage address{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) != 0 &&
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    *error = {ErrorCode::InvalidArgument, "admin HTTP host is not a numeric IP address: " + host};
    return nullptr;
  }
  auto* server = new AdminHttp();
  server->shared_ = std::make_shared<Shared>(Shared{loop, std::move(handlers), limits, {}});
  uv_tcp_init(loop, &server->tcp_);
  server->tcp_.data = server;
  int status = uv_tcp_bind(&server->tcp_, reinterpret_cast<const sockaddr*>(&address), 0);
  if (status == 0) status = uv_listen(reinterpret_cast<uv_stream_t*>(&server->tcp_), SOMAXCONN, on_connection);
  if (status != 0) {
    *error = {ErrorCode::Internal,
              "cannot listen for admin HTTP on " + host + ":" + std::to_string(port) + ": " + uv_strerror(status)};
    server->close();
    return nullptr;
  }
  sockaddr_storage bound{};
  int length = sizeof bound;
  uv_tcp_getsockname(&server->tcp_, reinterpret_cast<sockaddr*>(&bound), &length);
  // sin_port and sin6_port sit at the same offset.
  server->bound_port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  *error = {};
  return server;
}

size_t AdminHttp::connections() const noexcept { return shared_->open.size(); }

void AdminHttp::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<AdminHttp*>(server->data);
  if (status != 0 || self->closing_) return;
  Connection::accept(server, self->shared_);
}

void AdminHttp::close() {
  if (closing_) return;
  closing_ = true;
  const std::vector<Connection*> open(shared_->open.begin(), shared_->open.end());
  for (Connection* connection : open) connection->abort();
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_closed);
}

void AdminHttp::on_closed(uv_handle_t* handle) { delete static_cast<AdminHttp*>(handle->data); }

}  // namespace mxgw::daemon
