// Listener and connectors: where StreamEndpoints come from.
//
// A Listener accepts framed connections on a Unix socket path or a TCP address and
// hands each new endpoint, connected and configured but not yet reading, to its
// accept callback; the callback must start() or close() it. connect_unix/connect_tcp
// open one outgoing endpoint and report it (or the exact failure) once.
//
// Lifetime: a Listener owns itself like an endpoint does: close() stops accepting and
// deletes it once libuv has closed the handle. A Unix listener removes its socket
// file when it closes.
//
// Thread safety: none; everything runs on the loop's thread.

#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/stream_endpoint.h>

namespace mxgw::transport {

class Listener {
 public:
  using AcceptFn = std::function<void(StreamEndpoint* endpoint)>;

  // Listens on a Unix socket at `path` (an existing socket file there is replaced).
  static Listener* listen_unix(uv_loop_t* loop, const std::string& path, const StreamEndpoint::Options& options,
                               AcceptFn on_accept, Status* error);
  // Listens on TCP `host` (a numeric IPv4/IPv6 address) and `port` (0: any free port;
  // bound_port() tells which).
  static Listener* listen_tcp(uv_loop_t* loop, const std::string& host, uint16_t port,
                              const StreamEndpoint::Options& options, AcceptFn on_accept, Status* error);

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint16_t bound_port() const noexcept { return bound_port_; }
  const std::string& address() const noexcept { return address_; }
  uint64_t accepted() const noexcept { return accepted_; }

  void close();

 private:
  Listener(StreamEndpoint::StreamType type, const StreamEndpoint::Options& options, AcceptFn on_accept);
  ~Listener() = default;
  static void on_connection(uv_stream_t* server, int status);
  static void on_closed(uv_handle_t* handle);

  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tcp_t tcp;
  } handle_;
  StreamEndpoint::StreamType type_;
  StreamEndpoint::Options options_;
  AcceptFn on_accept_;
  std::string address_;
  uint16_t bound_port_ = 0;
  uint64_t accepted_ = 0;
  bool closing_ = false;
  bool owns_socket_file_ = false;  // a Unix listener that bound its path removes it
};

// Reports exactly once: an ok Status and a connected endpoint (not yet reading), or
// the failure and nullptr.
using ConnectFn = std::function<void(const Status& status, StreamEndpoint* endpoint)>;

void connect_unix(uv_loop_t* loop, const std::string& path, const StreamEndpoint::Options& options, ConnectFn done);
// `host` is a numeric IPv4/IPv6 address or a name resolved through getaddrinfo.
void connect_tcp(uv_loop_t* loop, const std::string& host, uint16_t port, const StreamEndpoint::Options& options,
                 ConnectFn done);

}  // namespace mxgw::transport
