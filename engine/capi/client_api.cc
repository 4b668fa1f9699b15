// The C entry points for versions, clients and sessions (mxgw.h).

#include <cstring>
#include <new>
#include <string>

#include "engine/capi/handles.h"
#include "engine/capi/worker_locator.h"

using mxgw::Status;
using mxgw::capi::ClientState;
using mxgw::capi::fail;

namespace {

constexpr char kEmbeddedTarget[] = "embedded";

// The caller's options with every default filled in.
mxgw_client_options with_defaults(const mxgw_client_options* given) {
  mxgw_client_options options;
  mxgw_client_options_init(&options);
  if (given) options = *given;
  if (!options.client_name) options.client_name = "libmxgw";
  if (!options.subscription_ring) options.subscription_ring = 1024;
  if (!options.connect_timeout_ms) options.connect_timeout_ms = 10'000;
  if (!options.request_timeout_ms) options.request_timeout_ms = 60'000;
  return options;
}

int open_error(const Status& status, bool embedded) {
  // A connection the client could not make is Internal on the wire side; the C API
  // names it for what it is.
  if (!embedded && status.code() == mxgw::ErrorCode::Internal) return fail(MXGW_E_CONNECT, status.message());
  return fail(status);
}

}  // namespace

extern "C" {

uint32_t mxgw_version(void) { return MXGW_VERSION; }
const char* mxgw_version_string(void) { return MXGW_VERSION_STRING; }

void mxgw_client_options_init(mxgw_client_options* options) {
  if (options) std::memset(options, 0, sizeof *options);
}

int mxgw_client_open(const char* target, const mxgw_client_options* given, mxgw_client** out) {
  if (out) *out = nullptr;
  if (!target || !out) return fail(MXGW_E_INVALID_ARGUMENT, "mxgw_client_open needs a target and an out pointer");
  mxgw_client_options options = with_defaults(given);
  const bool embedded = std::strcmp(target, kEmbeddedTarget) == 0;
  std::string worker;
  if (embedded && !options.worker_path) {
    worker = mxgw::capi::locate_worker();
    if (worker.empty()) {
      return fail(MXGW_E_INVALID_ARGUMENT, "no mxgw-worker found: set worker_path or $MXGW_WORKER");
    }
    options.worker_path = worker.c_str();
  }
  Status error;
  std::unique_ptr<mxgw::capi::Connection> connection =
      embedded ? mxgw::capi::open_embedded(options, &error) : mxgw::capi::open_remote(target, options, &error);
  if (!connection) return open_error(error, embedded);
  auto* client = new (std::nothrow) mxgw_client{std::make_shared<ClientState>(std::move(connection))};
  if (!client) return fail(MXGW_E_NO_MEMORY, "no memory for a client handle");
  *out = client;
  return MXGW_OK;
}

int mxgw_client_is_embedded(const mxgw_client* client) {
  return client && client->state->connection->embedded() ? 1 : 0;
}

int mxgw_client_close(mxgw_client* client) {
  if (!client) return fail(MXGW_E_INVALID_ARGUMENT, "no client");
  ClientState& state = *client->state;
  if (state.closed.exchange(true, std::memory_order_acq_rel)) return MXGW_OK;
  state.leases.stop();
  state.connection->close(state.leases.ids());
  return MXGW_OK;
}

void mxgw_client_free(mxgw_client* client) {
  if (!client) return;
  mxgw_client_close(client);
  delete client;
}

int mxgw_session_open(mxgw_client* client, const mxgw_session_options* options, mxgw_session** out) {
  if (out) *out = nullptr;
  if (!client || !out) return fail(MXGW_E_INVALID_ARGUMENT, "mxgw_session_open needs a client and an out pointer");
  if (client->state->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
  mxgw::engine::OpenRequest request;
  if (options) {
    if (options->name) request.client_session_name = options->name;
    if (options->backend) request.backend = options->backend;
    request.command_timeout_ms = options->command_timeout_ms;
    if (options->backend_option_count && !options->backend_options) {
      return fail(MXGW_E_INVALID_ARGUMENT, "backend_option_count without backend_options");
    }
    for (size_t i = 0; i < options->backend_option_count; ++i) {
      const mxgw_backend_option& option = options->backend_options[i];
      if (!option.key || !option.value) return fail(MXGW_E_INVALID_ARGUMENT, "a backend option without key or value");
      request.backend_options.emplace_back(option.key, option.value);
    }
  }
  mxgw::capi::OpenedSession opened;
  if (Status status = client->state->connection->open_session(request, &opened); !status.is_ok()) return fail(status);
  auto* session = new (std::nothrow) mxgw_session{client->state, opened.session_id, {}};
  if (!session) {
    bool ignored = false;
    client->state->connection->close_session(opened.session_id, &ignored);
    return fail(MXGW_E_NO_MEMORY, "no memory for a session handle");
  }
  client->state->leases.add(opened.session_id, opened.lease_ms);
  *out = session;
  return MXGW_OK;
}

const char* mxgw_session_id(const mxgw_session* session) { return session ? session->id.c_str() : ""; }

int mxgw_session_close(mxgw_session* session) {
  if (!session) return fail(MXGW_E_INVALID_ARGUMENT, "no session");
  if (session->closed.exchange(true, std::memory_order_acq_rel)) return fail(MXGW_E_CLOSED, "the session is closed");
  session->client->leases.remove(session->id);
  if (session->client->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
  bool already_closed = false;
  if (Status status = session->client->connection->close_session(session->id, &already_closed); !status.is_ok()) {
    return fail(status);
  }
  return already_closed ? fail(MXGW_E_ALREADY_CLOSED, "session " + session->id + " had already ended") : MXGW_OK;
}

void mxgw_session_free(mxgw_session* session) {
  if (!session) return;
  if (!session->closed.load(std::memory_order_acquire)) mxgw_session_close(session);
  delete session;
}

}  // extern "C"
