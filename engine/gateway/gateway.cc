// Listening, placing connections on shards, and an orderly stop.

#include "engine/gateway/gateway.h"

#include <future>
#include <unordered_map>

#include "engine/core/shard.h"

namespace mxgw::gateway {

// The connections living on one shard; touched only on that shard's thread.
struct Gateway::ShardConnections {
  std::unordered_map<uint64_t, std::unique_ptr<ClientConnection>> connections;
  uint64_t next_id = 1;
  std::promise<void>* emptied = nullptr;  // set while stopping
};

Gateway::Gateway(GatewayConfig config, Authenticator authenticate)
    : config_(std::move(config)), authenticate_(std::move(authenticate)) {}

Gateway::~Gateway() { stop(); }

transport::StreamEndpoint::Options Gateway::endpoint_options() const {
  transport::StreamEndpoint::Options options;
  options.max_payload_bytes = config_.client_max_frame_bytes;
  options.high_watermark_bytes = config_.client_high_watermark_bytes;
  options.low_watermark_bytes = config_.client_low_watermark_bytes;
  return options;
}

Status Gateway::start() {
  if (started_) return {ErrorCode::InvalidArgument, "the gateway is already started"};
  if (!config_.tcp_enabled && config_.unix_path.empty()) {
    return {ErrorCode::InvalidArgument, "the gateway needs a TCP address or a Unix socket to listen on"};
  }
  manager_ = std::make_unique<engine::SessionManager>(config_.engine);
  if (Status s = manager_->start(); !s.is_ok()) return s;
  started_ = true;
  for (uint32_t i = 0; i < manager_->shard_count(); ++i) shards_.push_back(std::make_unique<ShardConnections>());

  host_ = std::make_unique<ConnectionHost>(
      ConnectionHost{*manager_, authenticate_, config_.client_max_frame_bytes,
                     // Answers may pile up as far as events do.
                     config_.client_high_watermark_bytes,
                     [this](uint32_t shard, uint64_t id, std::function<void(ClientConnection&)> task) {
                       manager_->shard(shard).post([this, shard, id, task = std::move(task)] {
                         auto& connections = shards_[shard]->connections;
                         if (auto found = connections.find(id); found != connections.end()) task(*found->second);
                       });
                     },
                     [this](uint32_t shard, uint64_t id) {
                       ShardConnections& here = *shards_[shard];
                       here.connections.erase(id);
                       connections_.fetch_sub(1, std::memory_order_relaxed);
                       if (here.emptied && here.connections.empty()) std::exchange(here.emptied, nullptr)->set_value();
                     },
                     &traffic_});

  // Listeners live on shard 0: bind there and report back.
  std::promise<Status> bound;
  manager_->shard(0).post([this, &bound] {
    Status status;
    auto accept = [this](transport::StreamEndpoint* endpoint) { on_accept(endpoint); };
    if (config_.tcp_enabled) {
      transport::Listener* tcp = transport::Listener::listen_tcp(manager_->shard(0).loop(), config_.tcp_host,
                                                                 config_.tcp_port, endpoint_options(), accept, &status);
      if (!status.is_ok()) return bound.set_value(status);
      listeners_.push_back(tcp);
      tcp_port_.store(tcp->bound_port(), std::memory_order_release);
    }
    if (!config_.unix_path.empty()) {
      transport::Listener* local = transport::Listener::listen_unix(manager_->shard(0).loop(), config_.unix_path,
                                                                    endpoint_options(), accept, &status);
      if (!status.is_ok()) return bound.set_value(status);
      listeners_.push_back(local);
    }
    bound.set_value({});
  });
  return bound.get_future().get();
}

void Gateway::on_accept(transport::StreamEndpoint* endpoint) {
  accepted_.fetch_add(1, std::memory_order_relaxed);
  const uint32_t target = next_shard_++ % manager_->shard_count();
  if (target == 0) return install(0, endpoint);
  // Move the socket to its shard's loop: a duplicate descriptor travels, the handle
  // here closes.
  const int fd = endpoint->duplicate_socket();
  const auto type = endpoint->type();
  std::string peer = endpoint->peer();
  endpoint->abort();
  if (fd < 0) return;
  manager_->shard(target).post([this, target, fd, type, peer = std::move(peer)] {
    transport::StreamEndpoint* moved =
        transport::StreamEndpoint::adopt(manager_->shard(target).loop(), type, fd, endpoint_options(), peer);
    if (moved) install(target, moved);
  });
}

void Gateway::install(uint32_t shard, transport::StreamEndpoint* endpoint) {
  // Ids only need to be unique per shard; the shard number in the top bits makes
  // them unique overall, which keeps logs unambiguous.
  const uint64_t id = (uint64_t{shard} << 48) | shards_[shard]->next_id++;
  auto connection = std::make_unique<ClientConnection>(*host_, shard, id, endpoint);
  ClientConnection& installed = *connection;
  shards_[shard]->connections.emplace(id, std::move(connection));
  connections_.fetch_add(1, std::memory_order_relaxed);
  installed.start();
}

void Gateway::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  std::promise<void> unbound;
  manager_->shard(0).post([this, &unbound] {
    for (transport::Listener* listener : listeners_) listener->close();
    listeners_.clear();
    unbound.set_value();
  });
  unbound.get_future().wait();
  // Sessions first, so subscribers receive their sessions' final state; then the
  // connections, which flush what they hold before closing.
  manager_->close_all_sessions();
  std::vector<std::promise<void>> emptied(shards_.size());
  std::vector<std::future<void>> waits;
  for (uint32_t i = 0; i < shards_.size(); ++i) {
    waits.push_back(emptied[i].get_future());
    manager_->shard(i).post([this, i, promise = &emptied[i]] {
      ShardConnections& here = *shards_[i];
      if (here.connections.empty()) return promise->set_value();
      here.emptied = promise;
      for (auto& [id, connection] : here.connections) {
        connection->drain();
        connection->close();
      }
    });
  }
  for (auto& wait : waits) wait.wait();
  manager_->shutdown();
}

}  // namespace mxgw::gateway
