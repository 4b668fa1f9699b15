// The C entry points for versions, clients and sessions (mxgw.h). Each body runs
// under guarded() (errors.h) and owns what it makes through RAII until it hands the
// handle out, so a failure at any point leaves nothing behind.

#include <cstring>
#include <memory>
#include <string>

#include "engine/capi/handles.h"
#include "engine/capi/sized_options.h"
#include "engine/capi/worker_locator.h"

using mxgw::Status;
using mxgw::capi::ClientState;
using mxgw::capi::fail;
using mxgw::capi::guarded;

namespace {

constexpr char kEmbeddedTarget[] = "embedded";

// Where the last field of each options struct's first version ends.
constexpr size_t kClientOptionsV1 = offsetof(mxgw_client_options, lease_ms) + sizeof(uint32_t);
constexpr size_t kSessionOptionsV1 = offsetof(mxgw_session_options, backend_option_count) + sizeof(size_t);

uint32_t major_of(uint32_t version) { return version >> 16; }
uint32_t minor_of(uint32_t version) { return (version >> 8) & 0xff; }
std::string version_text(uint32_t version) {
  return std::to_string(major_of(version)) + "." + std::to_string(minor_of(version)) + "." +
         std::to_string(version & 0xff);
}

// The caller's options with every default filled in.
Status with_defaults(const mxgw_client_options* given, mxgw_client_options* options) {
  mxgw_client_options_init(options);
  if (Status read = mxgw::capi::read_sized(given, kClientOptionsV1, "mxgw_client_options", options); !read.is_ok()) {
    return read;
  }
  if (!options->client_name) options->client_name = "libmxgw";
  if (!options->subscription_ring) options->subscription_ring = 1024;
  if (!options->connect_timeout_ms) options->connect_timeout_ms = 10'000;
  if (!options->request_timeout_ms) options->request_timeout_ms = 60'000;
  return {};
}

int open_error(const Status& status, bool embedded) {
  // A connection the client could not make is Internal on the wire side; the C API
  // names it for what it is.
  if (!embedded && status.code() == mxgw::ErrorCode::Internal) return fail(MXGW_E_CONNECT, status.message());
  return fail(status);
}

int open_client(const char* target, const mxgw_client_options* given, mxgw_client** out) {
  if (!target || !out) return fail(MXGW_E_INVALID_ARGUMENT, "mxgw_client_open needs a target and an out pointer");
  mxgw_client_options options;
  if (Status read = with_defaults(given, &options); !read.is_ok()) return fail(read);
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
  *out = new mxgw_client{std::make_shared<ClientState>(std::move(connection))};
  return MXGW_OK;
}

int close_client(mxgw_client* client) {
  if (!client) return fail(MXGW_E_INVALID_ARGUMENT, "no client");
  ClientState& state = *client->state;
  if (state.closed.exchange(true, std::memory_order_acq_rel)) return MXGW_OK;
  state.leases.stop();
  state.connection->close(state.leases.ids());
  return MXGW_OK;
}

int open_session(mxgw_client* client, const mxgw_session_options* given, mxgw_session** out) {
  if (!client || !out) return fail(MXGW_E_INVALID_ARGUMENT, "mxgw_session_open needs a client and an out pointer");
  if (client->state->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
  mxgw_session_options options;
  mxgw_session_options_init(&options);
  if (Status read = mxgw::capi::read_sized(given, kSessionOptionsV1, "mxgw_session_options", &options); !read.is_ok()) {
    return fail(read);
  }
  mxgw::engine::OpenRequest request;
  if (options.name) request.client_session_name = options.name;
  if (options.backend) request.backend = options.backend;
  request.command_timeout_ms = options.command_timeout_ms;
  if (options.backend_option_count && !options.backend_options) {
    return fail(MXGW_E_INVALID_ARGUMENT, "backend_option_count without backend_options");
  }
  for (size_t i = 0; i < options.backend_option_count; ++i) {
    const mxgw_backend_option& option = options.backend_options[i];
    if (!option.key || !option.value) return fail(MXGW_E_INVALID_ARGUMENT, "a backend option without key or value");
    request.backend_options.emplace_back(option.key, option.value);
  }
  auto session = std::make_unique<mxgw_session>(client->state);
  mxgw::capi::OpenedSession opened;
  if (Status status = client->state->connection->open_session(request, &opened); !status.is_ok()) return fail(status);
  // From here the session is open: a failure before the handle is out closes it.
  session->id = std::move(opened.session_id);
  session->opened = true;
  client->state->leases.add(session->id, opened.lease_ms);
  *out = session.release();
  return MXGW_OK;
}

int close_session(mxgw_session* session) {
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

}  // namespace

// A session handle that goes before it was handed out (a failure in
// mxgw_session_open after the engine opened the session) closes its session.
mxgw_session::~mxgw_session() {
  if (opened && !closed.load(std::memory_order_acquire)) guarded([this]() -> int { return close_session(this); });
}

extern "C" {

uint32_t mxgw_version(void) { return MXGW_VERSION_HEX; }
const char* mxgw_version_string(void) { return MXGW_VERSION_STRING; }

int mxgw_check_version(uint32_t header_version) {
  return guarded([&]() -> int {
    if (major_of(header_version) == MXGW_VERSION_MAJOR && minor_of(header_version) <= MXGW_VERSION_MINOR) {
      return MXGW_OK;
    }
    return fail(MXGW_E_INCOMPATIBLE_VERSION, "libmxgw " MXGW_VERSION_STRING " cannot serve a program built against " +
                                                 version_text(header_version) + " (it needs major version " +
                                                 std::to_string(MXGW_VERSION_MAJOR) + " and minor version at most " +
                                                 std::to_string(MXGW_VERSION_MINOR) + ")");
  });
}

int mxgw_client_open(const char* target, const mxgw_client_options* options, mxgw_client** out) {
  if (out) *out = nullptr;
  return guarded([&]() -> int { return open_client(target, options, out); });
}

int mxgw_client_is_embedded(const mxgw_client* client) {
  return client && client->state->connection->embedded() ? 1 : 0;
}

int mxgw_client_close(mxgw_client* client) {
  return guarded([&]() -> int { return close_client(client); });
}

void mxgw_client_free(mxgw_client* client) {
  guarded([&] {
    const std::unique_ptr<mxgw_client> owned(client);
    if (owned) close_client(owned.get());
  });
}

int mxgw_session_open(mxgw_client* client, const mxgw_session_options* options, mxgw_session** out) {
  if (out) *out = nullptr;
  return guarded([&]() -> int { return open_session(client, options, out); });
}

const char* mxgw_session_id(const mxgw_session* session) { return session ? session->id.c_str() : ""; }

int mxgw_session_close(mxgw_session* session) {
  return guarded([&]() -> int { return close_session(session); });
}

void mxgw_session_free(mxgw_session* session) {
  // Closing (if still open) is the destructor's.
  guarded([&] { delete session; });
}

}  // extern "C"
