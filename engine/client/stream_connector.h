// StreamConnector: opens the client's one connection to a ClientAddress, and can be
// cancelled at any point (a connect deadline, or the client closing).
//
// transport::connect_tcp/connect_unix cannot be called off once started, so a
// connection to an address that never answers would hold the client's loop for the
// kernel's whole connect timeout. This connector owns its endpoint until it reports
// and aborts it on cancel(), which makes libuv cancel the connect request. A host
// name is resolved with getaddrinfo and every address it yields is tried in turn
// (so "localhost" reaches a gateway listening on 127.0.0.1 or on ::1).
//
// Lifetime: start() returns a connector that owns itself. It reports through `done`
// exactly once, unless cancel() is called first, in which case it never reports;
// either way it deletes itself when libuv is done with it. The caller must drop its
// pointer once `done` has run or cancel() has returned.
//
// Thread safety: none; everything runs on the loop's thread.

#pragma once

#include <functional>
#include <string>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/stream_endpoint.h>

#include "engine/client/client_address.h"

namespace mxgw::client {

class StreamConnector {
 public:
  // An ok Status and a connected endpoint (not yet started), or the failure.
  using Done = std::function<void(const Status& status, transport::StreamEndpoint* endpoint)>;

  // nullptr when it failed at once (`done` has then already run).
  static StreamConnector* start(uv_loop_t* loop, const ClientAddress& address,
                                const transport::StreamEndpoint::Options& options, Done done);

  StreamConnector(const StreamConnector&) = delete;
  StreamConnector& operator=(const StreamConnector&) = delete;

  void cancel();

 private:
  StreamConnector(uv_loop_t* loop, const ClientAddress& address, const transport::StreamEndpoint::Options& options,
                  Done done);
  ~StreamConnector();

  // False after reporting a failure and deleting itself.
  bool begin();
  void connect_next();
  void on_resolved(int status, addrinfo* found);
  void on_connected(int status);
  void report(const Status& status, transport::StreamEndpoint* endpoint);
  void release_if_idle();

  uv_loop_t* loop_;
  ClientAddress address_;
  transport::StreamEndpoint::Options options_;
  Done done_;
  uv_getaddrinfo_t resolve_{};
  uv_connect_t connect_{};
  addrinfo* addresses_ = nullptr;                  // from getaddrinfo, freed in the destructor
  addrinfo* next_ = nullptr;                       // the next address to try
  transport::StreamEndpoint* endpoint_ = nullptr;  // the attempt in flight
  std::string last_error_;
  bool resolving_ = false;
  bool connecting_ = false;
  bool finished_ = false;  // reported or cancelled
};

}  // namespace mxgw::client
