// fault_backend: a backend plugin (<mxgw/mxgw_plugin.h>) that misbehaves on purpose, for
// the fault-injection tests. mxgw-fault-worker loads it into the real mxgw-worker for
// backends named `fault-<mode>`, so the handshake before the fault is the worker's
// own; the mode comes in MXGW_FAULT_MODE and the session's socket path in
// MXGW_FAULT_ENDPOINT.
//
//   hang-startup   create() never returns: Hello and Welcome went, Ready never comes
//   hang-command   AddItem never returns
//   hang-shutdown  destroy() never returns: the worker answers Shutdown, closes its
//                  connection and then never exits
//   garbage        AddItem writes a well-framed WorkerControl frame whose payload
//                  is noise
//   truncated      AddItem writes the first part of a frame, then closes its side
//                  of the connection
//   oversized      AddItem writes a frame header whose length is far over any limit
//   killed-mid-frame  AddItem writes the first part of a frame, then the worker is
//                  killed (SIGKILL), as a crash in the middle of a write would leave it
//
// The others that write raw bytes then hang, so that what the gateway reports is the
// bad bytes, never the process's exit. Nothing else works: there are no tags.
//
// Thread safety: the worker's loop thread only, as the ABI promises.

#include <mxgw/mxgw_plugin.h>

#include <dirent.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <mxgw/transport/frame.h>

struct mxgw_plugin {
  std::string mode;
};

namespace {

using mxgw::transport::FrameKind;

[[noreturn]] void hang() {
  for (;;) ::pause();  // until the gateway kills this process
}

// The connected socket whose peer is the session's endpoint: the worker's link to
// the gateway, which libuv holds but this plugin may write to directly.
int gateway_socket() {
  const char* endpoint = std::getenv("MXGW_FAULT_ENDPOINT");
  if (!endpoint) return -1;
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return -1;
  int found = -1;
  while (dirent* entry = readdir(fds)) {
    const int fd = std::atoi(entry->d_name);
    sockaddr_un peer{};
    socklen_t size = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) == 0 && peer.sun_family == AF_UNIX &&
        std::strncmp(peer.sun_path, endpoint, sizeof peer.sun_path) == 0) {
      found = fd;
      break;
    }
  }
  closedir(fds);
  return found;
}

void write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // the gateway has gone: nothing left to break
    done += static_cast<size_t>(n);
  }
}

// The 8 header bytes of mxgw/transport/frame.h, for any length (valid or not).
std::string frame_header(FrameKind kind, uint32_t payload_length) {
  std::string header(mxgw::transport::kFrameHeaderSize, '\0');
  const auto kind_value = static_cast<uint16_t>(kind);
  std::memcpy(header.data(), &payload_length, 4);
  std::memcpy(header.data() + 4, &kind_value, 2);
  header[6] = static_cast<char>(mxgw::transport::kFrameFormatVersion);
  return header;
}

// The bytes the worker sends in place of its AddItem reply, by mode; empty for the
// modes that do not write.
std::string bad_bytes(std::string_view mode) {
  if (mode == "garbage") {
    std::string noise(64, '\0');
    for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>(0xA5 ^ (i * 37));
    return frame_header(FrameKind::WorkerControl, static_cast<uint32_t>(noise.size())) + noise;
  }
  if (mode == "truncated" || mode == "killed-mid-frame") {
    return frame_header(FrameKind::WorkerControl, 4096) + std::string(100, 'x');
  }
  if (mode == "oversized") return frame_header(FrameKind::Events, 0xFFFFFFF0u);
  return {};
}

int create(const mxgw_plugin_option*, size_t, mxgw_plugin** out, char* error, size_t error_size) {
  const char* mode = std::getenv("MXGW_FAULT_MODE");
  if (!mode) {
    std::snprintf(error, error_size, "MXGW_FAULT_MODE is not set (start this plugin through mxgw-fault-worker)");
    return MXGW_PLUGIN_E_INVALID_ARGUMENT;
  }
  if (std::string_view(mode) == "hang-startup") hang();
  *out = new mxgw_plugin{mode};
  return MXGW_PLUGIN_OK;
}

void destroy(mxgw_plugin* backend) {
  if (backend->mode == "hang-shutdown") hang();
  delete backend;
}

int add_item(mxgw_plugin* backend, mxgw_plugin_item_key, const char* tag, int, int16_t*, int*, char* error,
             size_t error_size) {
  if (backend->mode == "hang-command") hang();
  if (const std::string bytes = bad_bytes(backend->mode); !bytes.empty()) {
    const int fd = gateway_socket();
    write_all(fd, bytes);
    if (backend->mode == "killed-mid-frame") ::raise(SIGKILL);
    if (backend->mode == "truncated") ::shutdown(fd, SHUT_WR);
    hang();
  }
  std::snprintf(error, error_size, "fault backend '%s' has no tag '%s'", backend->mode.c_str(), tag);
  return MXGW_PLUGIN_E_UNKNOWN_TAG;
}

void remove_item(mxgw_plugin*, mxgw_plugin_item_key) {}
void set_active(mxgw_plugin*, mxgw_plugin_item_key, int) {}

int write(mxgw_plugin*, mxgw_plugin_item_key, const mxgw_plugin_value*, int64_t, char* error, size_t error_size) {
  std::snprintf(error, error_size, "the fault backend has no writable tags");
  return MXGW_PLUGIN_E_READ_ONLY;
}

int64_t produce(mxgw_plugin*, int64_t, const mxgw_plugin_host_api*, mxgw_plugin_host*) { return INT64_MAX; }

const mxgw_plugin_vtable kVtable = {
    MXGW_PLUGIN_ABI_VERSION,
    sizeof(mxgw_plugin_vtable),
    "fault",
    create,
    destroy,
    add_item,
    remove_item,
    set_active,
    write,
    produce,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace

extern "C" MXGW_PLUGIN_EXPORT const mxgw_plugin_vtable* mxgw_plugin_entry(void) { return &kVtable; }
