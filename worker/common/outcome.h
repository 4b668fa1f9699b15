// Outcome: the result of one MXAccess operation in the worker layer (a command to the
// worker, a backend call it makes, a sim write): the protocol's CommandError, which
// goes back to the client as it is, and a message for a human. Everything else in
// the worker and its backends that can fail (options, recordings, the connection)
// reports an mxgw::Status.
//
// Thread safety: a plain value.

#pragma once

#include <string>
#include <utility>

#include <mxgw/schema/worker_generated.h>

namespace mxgw::worker {

struct Outcome {
  proto::CommandError error = proto::CommandError::None;
  std::string message;

  bool ok() const { return error == proto::CommandError::None; }
  static Outcome failure(proto::CommandError error, std::string message) { return {error, std::move(message)}; }
};

}  // namespace mxgw::worker
