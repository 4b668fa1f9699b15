// Cancellable connection set-up over TCP (every resolved address in turn) or a Unix
// socket.

#include "engine/client/stream_connector.h"

#include <netinet/in.h>

#include <cstring>

namespace mxgw::client {
namespace {

std::string describe(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    uv_ip6_name(v6, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  uv_ip4_name(v4, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(v4->sin_port));
}

}  // namespace

StreamConnector* StreamConnector::start(uv_loop_t* loop, const ClientAddress& address,
                                        const transport::StreamEndpoint::Options& options, Done done) {
  auto* connector = new StreamConnector(loop, address, options, std::move(done));
  return connector->begin() ? connector : nullptr;
}

StreamConnector::StreamConnector(uv_loop_t* loop, const ClientAddress& address,
                                 const transport::StreamEndpoint::Options& options, Done done)
    : loop_(loop), address_(address), options_(options), done_(std::move(done)) {
  resolve_.data = this;
  connect_.data = this;
}

StreamConnector::~StreamConnector() {
  if (addresses_) uv_freeaddrinfo(addresses_);
}

bool StreamConnector::begin() {
  if (address_.kind == ClientAddress::Kind::Unix) {
    endpoint_ = transport::StreamEndpoint::create(loop_, transport::StreamEndpoint::StreamType::UnixPipe, options_);
    if (!endpoint_) {
      report({ErrorCode::Internal, "cannot create a socket handle"}, nullptr);
      delete this;
      return false;
    }
    connecting_ = true;
    uv_pipe_connect(
        &connect_, reinterpret_cast<uv_pipe_t*>(endpoint_->stream()), address_.path.c_str(),
        [](uv_connect_t* req, int status) { static_cast<StreamConnector*>(req->data)->on_connected(status); });
    return true;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // Numeric hosts resolve without a lookup; names go through the resolver pool.
  resolving_ = true;
  const std::string port = std::to_string(address_.port);
  const int status = uv_getaddrinfo(
      loop_, &resolve_,
      [](uv_getaddrinfo_t* req, int result, addrinfo* found) {
        static_cast<StreamConnector*>(req->data)->on_resolved(result, found);
      },
      address_.host.c_str(), port.c_str(), &hints);
  if (status != 0) {
    resolving_ = false;
    report({ErrorCode::Internal, "cannot resolve " + address_.host + ": " + uv_strerror(status)}, nullptr);
    delete this;
    return false;
  }
  return true;
}

void StreamConnector::on_resolved(int status, addrinfo* found) {
  resolving_ = false;
  addresses_ = found;
  next_ = found;
  if (finished_) {
    release_if_idle();
    return;
  }
  if (status != 0 || !found) {
    report({ErrorCode::Internal,
            "cannot resolve " + address_.host + ": " + uv_strerror(status != 0 ? status : UV_EAI_NONAME)},
           nullptr);
    release_if_idle();
    return;
  }
  connect_next();
}

void StreamConnector::connect_next() {
  while (next_) {
    const addrinfo* candidate = next_;
    next_ = next_->ai_next;
    endpoint_ = transport::StreamEndpoint::create(loop_, transport::StreamEndpoint::StreamType::Tcp, options_);
    if (!endpoint_) break;
    const int status = uv_tcp_connect(
        &connect_, reinterpret_cast<uv_tcp_t*>(endpoint_->stream()), candidate->ai_addr,
        [](uv_connect_t* req, int result) { static_cast<StreamConnector*>(req->data)->on_connected(result); });
    if (status == 0) {
      connecting_ = true;
      endpoint_->set_peer(describe(candidate->ai_addr));
      return;
    }
    last_error_ = describe(candidate->ai_addr) + ": " + uv_strerror(status);
    endpoint_->abort();
    endpoint_ = nullptr;
  }
  const std::string why = last_error_.empty() ? std::string(": no usable address") : " (" + last_error_ + ")";
  report({ErrorCode::Internal, "cannot connect to " + address_.to_string() + why}, nullptr);
  release_if_idle();
}

void StreamConnector::on_connected(int status) {
  connecting_ = false;
  transport::StreamEndpoint* endpoint = endpoint_;
  endpoint_ = nullptr;
  if (finished_) {
    // Cancelled: the endpoint was aborted then, and this is libuv's ECANCELED.
    release_if_idle();
    return;
  }
  if (status == 0) {
    endpoint->configure_socket();
    if (address_.kind == ClientAddress::Kind::Unix) endpoint->set_peer(address_.to_string());
    report({}, endpoint);
    release_if_idle();
    return;
  }
  last_error_ = endpoint->peer() + ": " + uv_strerror(status);
  endpoint->abort();
  if (address_.kind == ClientAddress::Kind::Unix) {
    report({ErrorCode::Internal, "cannot connect to " + address_.to_string() + ": " + uv_strerror(status)}, nullptr);
    release_if_idle();
    return;
  }
  connect_next();
}

void StreamConnector::report(const Status& status, transport::StreamEndpoint* endpoint) {
  finished_ = true;
  Done done = std::move(done_);
  done(status, endpoint);
}

void StreamConnector::cancel() {
  if (finished_) return;
  finished_ = true;
  done_ = nullptr;
  // Each cancellation makes libuv call back once more; the callbacks then free us.
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_));
  if (connecting_ && endpoint_) endpoint_->abort();
  release_if_idle();
}

void StreamConnector::release_if_idle() {
  if (finished_ && !resolving_ && !connecting_) delete this;
}

}  // namespace mxgw::client
