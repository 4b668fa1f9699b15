// Accepting and connecting framed streams over Unix sockets and TCP.

#include <mxgw/transport/listener.h>

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace mxgw::transport {
namespace {

Status uv_failure(const std::string& what, int status) {
  return {ErrorCode::Internal, what + ": " + uv_strerror(status)};
}

bool unix_path_fits(const std::string& path) { return path.size() < sizeof(sockaddr_un{}.sun_path); }

std::string describe(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    uv_ip6_name(v6, text, sizeof text);
    port = ntohs(v6->sin6_port);
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  uv_ip4_name(v4, text, sizeof text);
  port = ntohs(v4->sin_port);
  return std::string(text) + ":" + std::to_string(port);
}

bool parse_numeric(const std::string& host, uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0) return true;
  return uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(out)) == 0;
}

// One outgoing connection attempt, alive until it reports.
struct ConnectAttempt {
  uv_connect_t request{};
  uv_getaddrinfo_t resolve{};
  StreamEndpoint* endpoint = nullptr;
  ConnectFn done;
  std::string target;
  uint16_t port = 0;

  void report(int status) {
    if (status != 0) {
      endpoint->abort();
      done(uv_failure("cannot connect to " + target, status), nullptr);
    } else {
      endpoint->configure_socket();
      endpoint->set_peer(target);
      done(Status{}, endpoint);
    }
    delete this;
  }

  void connect_to(const sockaddr* address) {
    request.data = this;
    const int status =
        uv_tcp_connect(&request, reinterpret_cast<uv_tcp_t*>(endpoint->stream()), address,
                       [](uv_connect_t* req, int result) { static_cast<ConnectAttempt*>(req->data)->report(result); });
    if (status != 0) report(status);
  }
};

}  // namespace

Listener::Listener(StreamEndpoint::StreamType type, const StreamEndpoint::Options& options, AcceptFn on_accept)
    : type_(type), options_(options), on_accept_(std::move(on_accept)) {
  handle_.handle.data = this;
}

Listener* Listener::listen_unix(uv_loop_t* loop, const std::string& path, const StreamEndpoint::Options& options,
                                AcceptFn on_accept, Status* error) {
  if (!unix_path_fits(path)) {
    *error = {ErrorCode::InvalidArgument, "Unix socket path is too long (" + std::to_string(path.size()) +
                                              " bytes, at most " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                              "): " + path};
    return nullptr;
  }
  auto* listener = new Listener(StreamEndpoint::StreamType::UnixPipe, options, std::move(on_accept));
  listener->address_ = "unix://" + path;
  uv_pipe_init(loop, &listener->handle_.pipe, 0);
  // Replace a stale socket left by a previous run, but never any other kind of file.
  struct stat existing;
  if (::lstat(path.c_str(), &existing) == 0 && S_ISSOCK(existing.st_mode)) ::unlink(path.c_str());
  int status = uv_pipe_bind(&listener->handle_.pipe, path.c_str());
  if (status == 0) status = uv_listen(&listener->handle_.stream, SOMAXCONN, on_connection);
  if (status != 0) {
    *error = uv_failure("cannot listen on " + listener->address_, status);
    listener->close();
    return nullptr;
  }
  listener->owns_socket_file_ = true;
  *error = {};
  return listener;
}

Listener* Listener::listen_tcp(uv_loop_t* loop, const std::string& host, uint16_t port,
                               const StreamEndpoint::Options& options, AcceptFn on_accept, Status* error) {
  sockaddr_storage address;
  if (!parse_numeric(host, port, &address)) {
    *error = {ErrorCode::InvalidArgument, "not a numeric IP address: " + host};
    return nullptr;
  }
  auto* listener = new Listener(StreamEndpoint::StreamType::Tcp, options, std::move(on_accept));
  uv_tcp_init(loop, &listener->handle_.tcp);
  int status = uv_tcp_bind(&listener->handle_.tcp, reinterpret_cast<const sockaddr*>(&address), 0);
  if (status == 0) status = uv_listen(&listener->handle_.stream, SOMAXCONN, on_connection);
  if (status != 0) {
    *error = uv_failure("cannot listen on " + describe(reinterpret_cast<const sockaddr*>(&address)), status);
    listener->close();
    return nullptr;
  }
  sockaddr_storage bound;
  int length = sizeof bound;
  uv_tcp_getsockname(&listener->handle_.tcp, reinterpret_cast<sockaddr*>(&bound), &length);
  listener->address_ = "tcp://" + describe(reinterpret_cast<const sockaddr*>(&bound));
  listener->bound_port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  *error = {};
  return listener;
}

void Listener::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<Listener*>(server->data);
  if (status != 0 || self->closing_) return;
  StreamEndpoint* endpoint = StreamEndpoint::create(server->loop, self->type_, self->options_);
  if (!endpoint) return;
  if (uv_accept(server, endpoint->stream()) != 0) {
    endpoint->abort();
    return;
  }
  endpoint->configure_socket();
  if (self->type_ == StreamEndpoint::StreamType::Tcp) {
    sockaddr_storage peer;
    int length = sizeof peer;
    if (uv_tcp_getpeername(reinterpret_cast<uv_tcp_t*>(endpoint->stream()), reinterpret_cast<sockaddr*>(&peer),
                           &length) == 0) {
      endpoint->set_peer(describe(reinterpret_cast<const sockaddr*>(&peer)));
    }
  } else {
    endpoint->set_peer(self->address_);
  }
  ++self->accepted_;
  self->on_accept_(endpoint);
}

void Listener::close() {
  if (closing_) return;
  closing_ = true;
  uv_close(&handle_.handle, on_closed);
}

void Listener::on_closed(uv_handle_t* handle) {
  auto* self = static_cast<Listener*>(handle->data);
  if (self->owns_socket_file_) {
    ::unlink(self->address_.c_str() + std::strlen("unix://"));
  }
  delete self;
}

namespace {

// A new endpoint of `type` with its connect attempt, or nullptr after telling `done`.
ConnectAttempt* begin_attempt(uv_loop_t* loop, StreamEndpoint::StreamType type, const StreamEndpoint::Options& options,
                              ConnectFn& done) {
  StreamEndpoint* endpoint = StreamEndpoint::create(loop, type, options);
  if (!endpoint) {
    done({ErrorCode::Internal, "cannot create a socket handle"}, nullptr);
    return nullptr;
  }
  auto* attempt = new ConnectAttempt{};
  attempt->endpoint = endpoint;
  attempt->done = std::move(done);
  attempt->request.data = attempt;
  return attempt;
}

}  // namespace

void connect_unix(uv_loop_t* loop, const std::string& path, const StreamEndpoint::Options& options, ConnectFn done) {
  if (!unix_path_fits(path)) {
    done({ErrorCode::InvalidArgument, "Unix socket path is too long: " + path}, nullptr);
    return;
  }
  ConnectAttempt* attempt = begin_attempt(loop, StreamEndpoint::StreamType::UnixPipe, options, done);
  if (!attempt) return;
  attempt->target = "unix://" + path;
  uv_pipe_connect(&attempt->request, reinterpret_cast<uv_pipe_t*>(attempt->endpoint->stream()), path.c_str(),
                  [](uv_connect_t* req, int result) { static_cast<ConnectAttempt*>(req->data)->report(result); });
}

void connect_tcp(uv_loop_t* loop, const std::string& host, uint16_t port, const StreamEndpoint::Options& options,
                 ConnectFn done) {
  ConnectAttempt* attempt = begin_attempt(loop, StreamEndpoint::StreamType::Tcp, options, done);
  if (!attempt) return;
  attempt->port = port;
  sockaddr_storage address;
  if (parse_numeric(host, port, &address)) {
    attempt->target = describe(reinterpret_cast<const sockaddr*>(&address));
    attempt->connect_to(reinterpret_cast<const sockaddr*>(&address));
    return;
  }
  attempt->target = host + ":" + std::to_string(port);
  attempt->resolve.data = attempt;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const int status = uv_getaddrinfo(
      loop, &attempt->resolve,
      [](uv_getaddrinfo_t* req, int result, addrinfo* found) {
        auto* self = static_cast<ConnectAttempt*>(req->data);
        if (result != 0 || !found) {
          uv_freeaddrinfo(found);
          self->report(result != 0 ? result : UV_EAI_NONAME);
          return;
        }
        sockaddr_storage target{};
        std::memcpy(&target, found->ai_addr, found->ai_addrlen);
        uv_freeaddrinfo(found);
        reinterpret_cast<sockaddr_in*>(&target)->sin_port = htons(self->port);
        self->connect_to(reinterpret_cast<const sockaddr*>(&target));
      },
      host.c_str(), nullptr, &hints);
  if (status != 0) attempt->report(status);
}

}  // namespace mxgw::transport
