// The gateway's side of the worker protocol's messages (worker.fbs), as pure
// functions: whether a WorkerHello proves the session its worker was launched for,
// what a WorkerReady reports, and the frame that carries a command to a worker.
// WorkerLink and Session use them on a live link; the fuzz targets call the same
// functions with every message a worker could send.
//
// Thread safety: pure functions.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <mxgw/schema/worker_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/payload_builder.h>

namespace mxgw::engine {

inline constexpr size_t kNonceBytes = 32;
using Nonce = std::array<uint8_t, kNonceBytes>;

// Equal contents, in time independent of where they differ.
bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t size);

// What a worker must prove in its hello: the session and backend it was started
// for, and the session's nonce, which is good for one attempt only.
struct ExpectedWorker {
  std::string_view session_id;
  std::string_view backend;
  const Nonce& nonce;
  bool nonce_used = false;  // an earlier hello already offered a nonce
};

// The answer to a hello: accepted (code None) or refused with a code and a reason.
struct HelloVerdict {
  proto::HandshakeError code = proto::HandshakeError::None;
  std::string message;
  bool accepted() const { return code == proto::HandshakeError::None; }
};

HelloVerdict judge_hello(const proto::WorkerHello& hello, const ExpectedWorker& expected);

// Ok when the worker's backend started; otherwise OpenFailed naming the backend and
// the worker's reason.
Status ready_status(const proto::WorkerReady& ready, std::string_view backend);

// `command` as a finished WorkerFrame payload for the worker.
// REQUIRES: command.body holds a command (a body of a known kind).
transport::SharedBytes command_frame(transport::PayloadBuilder& builder, const proto::CommandT& command);

}  // namespace mxgw::engine
