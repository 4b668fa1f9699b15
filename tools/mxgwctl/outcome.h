// mxgwctl's exit codes, and the value each of its steps returns: how it went, as the
// code mxgwctl would exit with, and the line it prints on stderr when not ok.
//
// Thread safety: value types.

#pragma once

#include <string>

namespace mxgw::ctl {

// Listed in --help; scripts branch on them, so a code never changes its meaning.
enum class ExitCode : int {
  Ok = 0,
  Failed = 1,         // the daemon answered with another error, or an answer mxgwctl cannot read
  Usage = 2,          // a bad command line, no admin key, an unreadable key file
  CannotConnect = 3,  // no connection to the admin port, or no answer within --timeout-ms
  Refused = 4,        // the key is unknown (HTTP 401) or not an admin key (HTTP 403)
  NotFound = 5,       // no such session (HTTP 404)
};

struct Outcome {
  ExitCode code = ExitCode::Ok;
  std::string message;

  bool ok() const { return code == ExitCode::Ok; }
};

}  // namespace mxgw::ctl
