// Proves the admin HTTP port over a real TCP socket: each route, every auth refusal,
// kill reaching its handler with the right id and reason, errors mapped to statuses
// with JSON bodies, malformed and oversized requests answered (by libmicrohttpd where
// its parser refuses them) and closed, keep-alive
// and pipelined requests answered in order, idle connections closed, and answers that
// come after their connection has gone dropped harmlessly.
//
// The server runs on a uv loop in the test thread; the client is a plain blocking
// socket on a second thread, which wakes the loop when it is done. Every wait has a
// deadline: the loop's run and the client's socket timeouts.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/mxgw/admin_http.h"

namespace mxgw::daemon {
namespace {

using nlohmann::json;

constexpr char kAdminKey[] = "admin-secret";
constexpr char kClientKey[] = "client-secret";

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string{} : found->second;
  }
};

// A blocking HTTP client for one connection; every receive gives up after 10 s.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (connected_ && sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return connected_;
  }

  // The next response, or nullopt at end of stream, timeout or an unreadable answer.
  std::optional<HttpResponse> read_response() {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    HttpResponse response;
    const std::string head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    if (!head.starts_with("HTTP/1.1 ") || head.size() < 12) return std::nullopt;
    response.status = std::stoi(head.substr(9, 3));
    size_t at = head.find("\r\n");
    while (at != std::string::npos) {
      const size_t next = head.find("\r\n", at + 2);
      const std::string line = head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      at = next;
    }
    const size_t length = response.headers.count("content-length") ? std::stoul(response.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True when the server ends the stream (orderly or by reset) with nothing more sent.
  bool closed_by_server() {
    char byte;
    const ssize_t n = ::recv(fd_, &byte, 1, 0);
    return buffer_.empty() && (n == 0 || (n < 0 && errno == ECONNRESET));
  }

  bool connected() const { return connected_; }

 private:
  bool fill() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string get(const std::string& path, const std::string& extra_headers = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

std::string post(const std::string& path, const std::string& body, const std::string& extra_headers = {}) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + extra_headers + "\r\n" + body;
}

std::string bearer(const std::string& key) { return "Authorization: Bearer " + key + "\r\n"; }

engine::SessionInfo sample_session() {
  engine::SessionInfo info;
  info.session_id = "session-0123456789abcdef0123456789abcdef";
  info.correlation_id = "hmi-session-0123456789abcdef0123456789abcdef";
  info.backend = "sim";
  info.owner = "alice";
  info.state = proto::SessionState::Ready;
  info.state_reason = "";
  info.shard = 2;
  info.worker_pid = 4242;
  info.command_timeout_ms = 5000;
  info.created_ns = 1'700'000'000'000'000'000;
  info.lease_expires_ns = 1'700'000'030'000'000'000;
  info.lease_ms = 30000;
  info.subscribers = 3;
  info.events_in = 1'000'000;
  info.events_out = 2'999'999;
  info.next_seq = 1'000'001;
  return info;
}

class AdminHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void TearDown() override {
    if (server_) server_->close();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle outlived the server";
  }

  AdminHttp::Handlers handlers() {
    AdminHttp::Handlers h;
    h.metrics_text = [this] {
      ++metrics_calls_;
      return std::string("# HELP mxgw_up Up.\n# TYPE mxgw_up gauge\nmxgw_up 1\n");
    };
    h.list_sessions = [this](const engine::Caller& caller, std::function<void(std::vector<engine::SessionInfo>)> done) {
      callers_.push_back(caller.key_name);
      answer(hold_answers_, [done] { done({sample_session()}); });
    };
    h.kill_session = [this](const engine::Caller& caller, const std::string& id, const std::string& reason,
                            std::function<void(Status)> done) {
      callers_.push_back(caller.key_name);
      kills_.emplace_back(id, reason);
      answer(hold_answers_, [this, done] { done(kill_status_); });
    };
    h.authenticate = [](std::string_view key) -> std::optional<engine::Caller> {
      if (key == kAdminKey) return engine::Caller{"root", true};
      if (key == kClientKey) return engine::Caller{"alice", false};
      return std::nullopt;
    };
    return h;
  }

  void start(AdminHttp::Limits limits = {}) {
    Status error;
    server_ = AdminHttp::listen(&loop_, "127.0.0.1", 0, handlers(), &error, limits);
    ASSERT_TRUE(error.is_ok()) << error.to_string();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(server_->bound_port(), 0);
  }

  // Answers on a later turn of the loop (the asynchronous path), or keeps the answer
  // for the test to give when `hold` is set.
  void answer(bool hold, std::function<void()> fn) {
    if (hold) {
      held_.push_back(std::move(fn));
      return;
    }
    struct Later {
      uv_timer_t timer;
      std::function<void()> fn;
    };
    auto* later = new Later{{}, std::move(fn)};
    uv_timer_init(&loop_, &later->timer);
    later->timer.data = later;
    uv_timer_start(
        &later->timer,
        [](uv_timer_t* t) {
          auto* self = static_cast<Later*>(t->data);
          self->fn();
          uv_close(reinterpret_cast<uv_handle_t*>(t), [](uv_handle_t* h) { delete static_cast<Later*>(h->data); });
        },
        0, 0);
  }

  // Runs the loop until `done()` holds; fails at the deadline instead of hanging.
  // `done()` is also checked before the loop would block, so that a condition met by a
  // timer's callback ends the wait without waiting for the next event.
  void run_until(const std::function<bool()>& done, uint64_t deadline_ms = 30'000) {
    uv_timer_t deadline;
    uv_timer_init(&loop_, &deadline);
    bool expired = false;
    deadline.data = &expired;
    uv_timer_start(
        &deadline, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, deadline_ms, 0);
    uv_prepare_t before_blocking;
    uv_prepare_init(&loop_, &before_blocking);
    before_blocking.data = const_cast<std::function<bool()>*>(&done);
    uv_prepare_start(&before_blocking, [](uv_prepare_t* p) {
      if ((*static_cast<const std::function<bool()>*>(p->data))()) uv_stop(p->loop);
    });
    while (!done() && !expired) uv_run(&loop_, UV_RUN_ONCE);
    uv_close(reinterpret_cast<uv_handle_t*>(&before_blocking), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    ASSERT_FALSE(expired) << "deadline passed before the condition held";
  }

  // Runs `body` on a client thread while the loop serves it; `also` is checked on the
  // loop thread each turn, and the wait ends when both are done.
  void with_client(const std::function<void(uint16_t port)>& body, const std::function<bool()>& also = {}) {
    std::atomic<bool> finished{false};
    uv_async_t wake;
    uv_async_init(&loop_, &wake, [](uv_async_t*) {});
    const uint16_t port = server_->bound_port();
    std::thread client([&] {
      body(port);
      finished.store(true, std::memory_order_release);
      uv_async_send(&wake);
    });
    run_until([&] {
      const bool other_done = !also || also();  // evaluated every turn, not only at the end
      return other_done && finished.load(std::memory_order_acquire);
    });
    client.join();
    uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
  }

  // One request on a fresh connection; its response (status 0 when none came).
  HttpResponse exchange(const std::string& request) {
    HttpResponse out;
    with_client([&](uint16_t port) {
      Client client(port);
      if (client.send(request)) out = client.read_response().value_or(HttpResponse{});
    });
    return out;
  }

  static void expect_error(const HttpResponse& response, int status, const std::string& code) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.header("content-type"), "application/json");
    const json body = json::parse(response.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_EQ(body.value("error", ""), code) << response.body;
    EXPECT_FALSE(body.value("message", "").empty()) << response.body;
  }

  uv_loop_t loop_;
  AdminHttp* server_ = nullptr;
  int metrics_calls_ = 0;
  std::vector<std::string> callers_;
  std::vector<std::pair<std::string, std::string>> kills_;
  Status kill_status_;
  bool hold_answers_ = false;
  std::vector<std::function<void()>> held_;
};

TEST_F(AdminHttpTest, HealthzAndMetrics) {
  start();
  const HttpResponse health = exchange(get("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  EXPECT_EQ(health.header("connection"), "");  // HTTP/1.1: kept alive by default

  const HttpResponse with_query = exchange(get("/healthz?verbose=1"));
  EXPECT_EQ(with_query.status, 200);
  EXPECT_EQ(exchange("GET http://test/healthz HTTP/1.1\r\n\r\n").status, 200);  // absolute form

  const HttpResponse metrics = exchange(get("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body, "# HELP mxgw_up Up.\n# TYPE mxgw_up gauge\nmxgw_up 1\n");
  EXPECT_EQ(metrics_calls_, 1);
}

TEST_F(AdminHttpTest, SessionsListsEveryFieldForAnAdminKey) {
  start();
  const HttpResponse response = exchange(get("/sessions", bearer(kAdminKey)));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/json");
  const json list = json::parse(response.body, nullptr, false);
  ASSERT_TRUE(list.is_array()) << response.body;
  ASSERT_EQ(list.size(), 1u);
  const json& s = list[0];
  const engine::SessionInfo expected = sample_session();
  EXPECT_EQ(s["session_id"], expected.session_id);
  EXPECT_EQ(s["correlation_id"], expected.correlation_id);
  EXPECT_EQ(s["backend"], "sim");
  EXPECT_EQ(s["owner"], "alice");
  EXPECT_EQ(s["state"], "Ready");
  EXPECT_EQ(s["state_reason"], "");
  EXPECT_EQ(s["shard"], 2);
  EXPECT_EQ(s["worker_pid"], 4242);
  EXPECT_EQ(s["command_timeout_ms"], 5000);
  EXPECT_EQ(s["created_ns"], expected.created_ns);
  EXPECT_EQ(s["lease_expires_ns"], expected.lease_expires_ns);
  EXPECT_EQ(s["lease_ms"], 30000);
  EXPECT_EQ(s["subscribers"], 3);
  EXPECT_EQ(s["events_in"], 1'000'000);
  EXPECT_EQ(s["events_out"], 2'999'999);
  EXPECT_EQ(s["next_seq"], 1'000'001);
  EXPECT_EQ(s.size(), 16u) << "every SessionInfo field, no more";
  EXPECT_EQ(callers_, std::vector<std::string>{"root"});
}

TEST_F(AdminHttpTest, OneSessionIsTheListsEntryOr404) {
  start();
  const std::string id = sample_session().session_id;
  const json list = json::parse(exchange(get("/sessions", bearer(kAdminKey))).body, nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 1u);
  const HttpResponse found = exchange(get("/sessions/" + id, bearer(kAdminKey)));
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(found.body, nullptr, false), list[0]);

  const HttpResponse missing = exchange(get("/sessions/session-nobody", bearer(kAdminKey)));
  expect_error(missing, 404, "NotFound");
  EXPECT_NE(missing.body.find("session-nobody"), std::string::npos) << missing.body;
  expect_error(exchange(get("/sessions/" + id)), 401, "Unauthenticated");
  expect_error(exchange(get("/sessions/" + id, bearer(kClientKey))), 403, "PermissionDenied");
  const HttpResponse posted = exchange(post("/sessions/" + id, "{}", bearer(kAdminKey)));
  expect_error(posted, 405, "InvalidArgument");
  EXPECT_EQ(posted.header("allow"), "GET");
  EXPECT_EQ(callers_, (std::vector<std::string>{"root", "root", "root"}));
}

TEST_F(AdminHttpTest, AuthRefusals) {
  start();
  const HttpResponse none = exchange(get("/sessions"));
  expect_error(none, 401, "Unauthenticated");
  EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"mxgw\"");
  expect_error(exchange(get("/sessions", bearer("nobody"))), 401, "Unauthenticated");
  expect_error(exchange(get("/sessions", "Authorization: Basic cm9vdDpyb290\r\n")), 401, "Unauthenticated");
  expect_error(exchange(get("/sessions", "Authorization: Bearer\r\n")), 401, "Unauthenticated");
  expect_error(exchange(get("/sessions", bearer(kClientKey))), 403, "PermissionDenied");
  expect_error(exchange(get("/sessions", bearer(kAdminKey) + bearer(kAdminKey))), 400, "InvalidArgument");
  expect_error(exchange(post("/sessions/session-1/kill", R"({"reason":"x"})")), 401, "Unauthenticated");
  expect_error(exchange(post("/sessions/session-1/kill", R"({"reason":"x"})", bearer(kClientKey))), 403,
               "PermissionDenied");
  EXPECT_TRUE(callers_.empty()) << "no handler runs for a refused key";
  EXPECT_TRUE(kills_.empty());
  // The scheme name is case-insensitive.
  EXPECT_EQ(exchange(get("/sessions", "authorization: bearer " + std::string(kAdminKey) + "\r\n")).status, 200);
}

TEST_F(AdminHttpTest, KillCallsTheHandlerWithIdAndReason) {
  start();
  const HttpResponse response =
      exchange(post("/sessions/session-abc/kill", R"({"reason": "stuck worker \u00e9"})", bearer(kAdminKey)));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body), json({{"killed", "session-abc"}}));
  ASSERT_EQ(kills_.size(), 1u);
  EXPECT_EQ(kills_[0].first, "session-abc");
  EXPECT_EQ(kills_[0].second, "stuck worker \xc3\xa9");
  EXPECT_EQ(callers_, std::vector<std::string>{"root"});
}

TEST_F(AdminHttpTest, KillErrorsAreMapped) {
  start();
  const std::pair<ErrorCode, int> mapping[] = {
      {ErrorCode::NotFound, 404},        {ErrorCode::InvalidArgument, 400},  {ErrorCode::AlreadyClosed, 409},
      {ErrorCode::Unauthenticated, 401}, {ErrorCode::PermissionDenied, 403}, {ErrorCode::ShuttingDown, 503},
      {ErrorCode::Internal, 500},
  };
  for (const auto& [code, status] : mapping) {
    kill_status_ = Status{code, "from the engine"};
    const HttpResponse response = exchange(post("/sessions/s1/kill", R"({"reason":"r"})", bearer(kAdminKey)));
    expect_error(response, status, std::string(error_code_name(code)));
    EXPECT_EQ(json::parse(response.body, nullptr, false).value("message", ""), "from the engine");
  }
}

TEST_F(AdminHttpTest, KillNeedsAReason) {
  start();
  for (const std::string body :
       {"", "not json", "[]", "{}", R"({"reason": ""})", R"({"reason": 7})", R"({"why": "x"})"}) {
    expect_error(exchange(post("/sessions/s1/kill", body, bearer(kAdminKey))), 400, "InvalidArgument");
  }
  EXPECT_TRUE(kills_.empty());
}

TEST_F(AdminHttpTest, UnknownRoutesAndWrongMethods) {
  start();
  expect_error(exchange(get("/")), 404, "NotFound");
  expect_error(exchange(get("/nope")), 404, "NotFound");
  expect_error(exchange(post("/sessions/a/b/kill", "{}", bearer(kAdminKey))), 404, "NotFound");
  expect_error(exchange(post("/sessions//kill", "{}", bearer(kAdminKey))), 404, "NotFound");
  expect_error(exchange(post("/sessions/s1/kill/", "{}", bearer(kAdminKey))), 404, "NotFound");
  // An escaped "/" stays inside the id: a look-up of session "s1%2Fkill", not a kill.
  const HttpResponse escaped = exchange(get("/sessions/s1%2Fkill", bearer(kAdminKey)));
  expect_error(escaped, 404, "NotFound");
  EXPECT_NE(escaped.body.find("s1%2Fkill"), std::string::npos) << escaped.body;

  const HttpResponse post_health = exchange(post("/healthz", "{}"));
  expect_error(post_health, 405, "InvalidArgument");
  EXPECT_EQ(post_health.header("allow"), "GET");
  expect_error(exchange("DELETE /sessions HTTP/1.1\r\n\r\n"), 405, "InvalidArgument");
  const HttpResponse get_kill = exchange(get("/sessions/s1/kill", bearer(kAdminKey)));
  expect_error(get_kill, 405, "InvalidArgument");
  EXPECT_EQ(get_kill.header("allow"), "POST");
  EXPECT_TRUE(kills_.empty());
}

TEST_F(AdminHttpTest, MalformedRequestGets400AndTheConnectionCloses) {
  start();
  // libmicrohttpd answers what its parser refuses itself, with its own HTML body.
  const std::string malformed[] = {"GET /healthz HTTP/1.1\r\nno colon\r\n\r\n", "GET /healthz\r\n\r\n"};
  for (const std::string& request : malformed) {
    bool closed = false;
    HttpResponse response;
    with_client([&](uint16_t port) {
      Client client(port);
      client.send(request + get("/healthz"));  // a request after the bad one is never answered
      response = client.read_response().value_or(HttpResponse{});
      closed = client.closed_by_server();
    });
    EXPECT_EQ(response.status, 400) << request;
    EXPECT_EQ(response.header("connection"), "close");
    EXPECT_TRUE(closed) << request;
  }
  // A request line it cannot read at all is closed unanswered.
  bool garbage_closed = false;
  with_client([&](uint16_t port) {
    Client client(port);
    client.send("GARBAGE\r\n\r\n" + get("/healthz"));
    garbage_closed = client.closed_by_server();
  });
  EXPECT_TRUE(garbage_closed);

  const HttpResponse future = exchange("GET /healthz HTTP/9.9\r\n\r\n");
  EXPECT_EQ(future.status, 505);
  EXPECT_EQ(future.header("connection"), "close");
}

TEST_F(AdminHttpTest, OversizedHeadGets431AndBodyGets413) {
  start();
  // A head of exactly 16 KiB passes; one of twice that is refused by libmicrohttpd
  // (the connection's memory is the head's limit), and the connection closes.
  const std::string base = get("/healthz", "X-Pad: \r\n");
  const std::string fits = get("/healthz", "X-Pad: " + std::string(16384 - base.size(), 'p') + "\r\n");
  ASSERT_EQ(fits.size(), 16384u);
  EXPECT_EQ(exchange(fits).status, 200);
  for (const size_t pad : {size_t{32768}, size_t{100'000}}) {
    const HttpResponse over = exchange(get("/healthz", "X-Pad: " + std::string(pad, 'p') + "\r\n"));
    EXPECT_EQ(over.status, 431) << pad;
    EXPECT_EQ(over.header("connection"), "close") << pad;
  }

  // A declared body over 64 KiB is refused from its head, before it is sent.
  bool closed = false;
  HttpResponse declared;
  with_client([&](uint16_t port) {
    Client client(port);
    client.send("POST /sessions/s1/kill HTTP/1.1\r\nContent-Length: 65537\r\n" + bearer(kAdminKey) + "\r\n");
    declared = client.read_response().value_or(HttpResponse{});
    closed = client.closed_by_server();
  });
  expect_error(declared, 413, "InvalidArgument");
  EXPECT_TRUE(closed);

  // A chunked body is refused once it grows past 64 KiB; exactly 64 KiB passes the limit.
  auto chunked = [](size_t bytes) {
    std::string request =
        "POST /sessions/s1/kill HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" + bearer(kAdminKey) + "\r\n";
    const std::string prefix = R"({"reason":")";
    std::string body = prefix + std::string(bytes - prefix.size() - 2, 'r') + "\"}";
    for (size_t at = 0; at < body.size(); at += 8192) {
      const std::string piece = body.substr(at, 8192);
      char size[16];
      std::snprintf(size, sizeof size, "%zx", piece.size());
      request += std::string(size) + "\r\n" + piece + "\r\n";
    }
    return request + "0\r\n\r\n";
  };
  EXPECT_EQ(exchange(chunked(65536)).status, 200);
  ASSERT_EQ(kills_.size(), 1u);
  EXPECT_EQ(kills_[0].second.size(), 65536u - 13u);
  // Read to its end and discarded: libmicrohttpd answers only once a request is whole.
  const HttpResponse too_large = exchange(chunked(65537));
  expect_error(too_large, 413, "InvalidArgument");
  EXPECT_EQ(too_large.header("connection"), "close");
  EXPECT_EQ(kills_.size(), 1u);
}

TEST_F(AdminHttpTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  start();
  std::vector<HttpResponse> responses;
  bool still_open = false;
  with_client([&](uint16_t port) {
    Client client(port);
    // Asynchronous answers (sessions, kill) between synchronous ones, in one write.
    client.send(get("/sessions", bearer(kAdminKey)) + get("/healthz") +
                post("/sessions/s9/kill", R"({"reason":"first"})", bearer(kAdminKey)) + get("/metrics") + get("/nope") +
                post("/sessions/s10/kill", R"({"reason":"second"})", bearer(kAdminKey)));
    for (int i = 0; i < 6; ++i) responses.push_back(client.read_response().value_or(HttpResponse{}));
    // Keep-alive: the same connection serves another request afterwards.
    client.send(get("/healthz"));
    responses.push_back(client.read_response().value_or(HttpResponse{}));
    still_open = true;
  });
  ASSERT_EQ(responses.size(), 7u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_TRUE(json::parse(responses[0].body, nullptr, false).is_array());
  EXPECT_EQ(responses[1].body, "ok");
  EXPECT_EQ(responses[2].body, R"({"killed":"s9"})");
  EXPECT_EQ(responses[3].header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(responses[4].status, 404);
  EXPECT_EQ(responses[5].body, R"({"killed":"s10"})");
  EXPECT_EQ(responses[6].body, "ok");
  EXPECT_TRUE(still_open);
  const std::vector<std::pair<std::string, std::string>> expected{{"s9", "first"}, {"s10", "second"}};
  EXPECT_EQ(kills_, expected);
}

TEST_F(AdminHttpTest, ConnectionCloseAndHttp10AreHonoured) {
  start();
  const std::string closing[] = {get("/healthz", "Connection: close\r\n"), "GET /healthz HTTP/1.0\r\n\r\n"};
  for (const std::string& request : closing) {
    HttpResponse response;
    bool closed = false;
    with_client([&](uint16_t port) {
      Client client(port);
      client.send(request);
      response = client.read_response().value_or(HttpResponse{});
      closed = client.closed_by_server();
    });
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("connection"), "close");
    EXPECT_TRUE(closed);
  }
  // HTTP/1.0 asking for keep-alive is told it is kept.
  HttpResponse kept;
  with_client([&](uint16_t port) {
    Client client(port);
    client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    kept = client.read_response().value_or(HttpResponse{});
  });
  EXPECT_EQ(kept.header("connection"), "Keep-Alive");
}

TEST_F(AdminHttpTest, ExpectContinueGetsAnInterimAnswer) {
  start();
  std::vector<HttpResponse> responses;
  with_client([&](uint16_t port) {
    Client client(port);
    const std::string body = R"({"reason":"slow upload"})";
    client.send("POST /sessions/s1/kill HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n" + bearer(kAdminKey) + "\r\n");
    // The interim answer has no body and ends with its blank line.
    responses.push_back(client.read_response().value_or(HttpResponse{}));
    client.send(body);
    responses.push_back(client.read_response().value_or(HttpResponse{}));
  });
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 100);
  EXPECT_EQ(responses[1].status, 200);
}

TEST_F(AdminHttpTest, IdleConnectionsAreClosed) {
  start(AdminHttp::Limits{.idle_timeout_s = 1});
  bool closed_silent = false, closed_after_answer = false, closed_partial = false;
  with_client([&](uint16_t port) {
    Client silent(port);
    closed_silent = silent.connected() && silent.closed_by_server();
    Client served(port);
    served.send(get("/healthz"));
    closed_after_answer = served.read_response().has_value() && served.closed_by_server();
    Client partial(port);  // a head that never ends
    partial.send("GET /healthz HTTP/1.1\r\nX-Slow: ");
    closed_partial = partial.closed_by_server();
  });
  EXPECT_TRUE(closed_silent);
  EXPECT_TRUE(closed_after_answer);
  EXPECT_TRUE(closed_partial);
  run_until([&] { return server_->connections() == 0; });
}

TEST_F(AdminHttpTest, AnswersAfterTheConnectionWentAreDropped) {
  start();
  hold_answers_ = true;
  // The client leaves while its request is with the handler.
  with_client(
      [&](uint16_t port) {
        Client client(port);
        client.send(get("/sessions", bearer(kAdminKey)));
      },
      [&] { return held_.size() == 1; });
  for (auto& fn : held_) fn();
  held_.clear();
  run_until([&] { return server_->connections() == 0; });

  // The server closes while a request is with the handler; the late answer is dropped.
  bool closed = false;
  with_client(
      [&](uint16_t port) {
        Client client(port);
        client.send(post("/sessions/s1/kill", R"({"reason":"r"})", bearer(kAdminKey)));
        closed = client.closed_by_server();
      },
      [&] {
        if (held_.size() == 1 && server_) {
          server_->close();
          server_ = nullptr;
        }
        return !server_;
      });
  EXPECT_TRUE(closed);
  for (auto& fn : held_) fn();
  held_.clear();
  EXPECT_EQ(kills_.size(), 1u);
}

// Entries in a /proc/self directory: open descriptors or threads.
size_t entries(const char* directory) {
  return static_cast<size_t>(
      std::distance(std::filesystem::directory_iterator(directory), std::filesystem::directory_iterator{}));
}

// ThreadSanitizer starts a background thread of its own at a moment of its choosing,
// so under it only descriptors are counted.
#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadsCountable = false;
#else
constexpr bool kThreadsCountable = true;
#endif

TEST_F(AdminHttpTest, CloseLeavesNoDescriptorOrThread) {
  const size_t descriptors = entries("/proc/self/fd");
  const size_t threads = entries("/proc/self/task");
  start();
  EXPECT_GT(entries("/proc/self/fd"), descriptors) << "listening";
  if (kThreadsCountable) {
    EXPECT_EQ(entries("/proc/self/task"), threads) << "libmicrohttpd runs on the loop's thread only";
  }
  hold_answers_ = true;
  // One connection idle after an answer, one with its request held by a handler.
  std::optional<Client> idle, waiting;
  with_client(
      [&](uint16_t port) {
        idle.emplace(port);
        idle->send(get("/healthz"));
        idle->read_response();
        waiting.emplace(port);
        waiting->send(get("/sessions", bearer(kAdminKey)));
      },
      [&] { return held_.size() == 1; });
  EXPECT_EQ(server_->connections(), 2u);
  server_->close();
  server_ = nullptr;
  uv_run(&loop_, UV_RUN_NOWAIT);  // runs the close callbacks
  EXPECT_EQ(uv_loop_alive(&loop_), 0);
  idle.reset();
  waiting.reset();
  for (auto& fn : held_) fn();
  EXPECT_EQ(entries("/proc/self/fd"), descriptors);
  if (kThreadsCountable) {
    EXPECT_EQ(entries("/proc/self/task"), threads);
  }
}

TEST_F(AdminHttpTest, ListenRefusesBadArguments) {
  Status error;
  AdminHttp::Handlers missing = handlers();
  missing.kill_session = nullptr;
  EXPECT_EQ(AdminHttp::listen(&loop_, "127.0.0.1", 0, missing, &error), nullptr);
  EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(AdminHttp::listen(&loop_, "localhost", 0, handlers(), &error), nullptr);
  EXPECT_NE(error.message().find("localhost"), std::string::npos);

  start();
  EXPECT_EQ(AdminHttp::listen(&loop_, "127.0.0.1", server_->bound_port(), handlers(), &error), nullptr);
  EXPECT_EQ(error.code(), ErrorCode::Internal);
  EXPECT_NE(error.message().find(std::to_string(server_->bound_port())), std::string::npos) << error.message();
}

}  // namespace
}  // namespace mxgw::daemon
