// The `replay` backend's options, parsed from the key/value pairs of the session
// open.
//
//   file   the CSV recording to replay (see recording.h). Required.
//   speed  a multiple of real time: a positive number up to 1000000 ("1", "10",
//          "0.5"), or "max" to replay as fast as the session takes the rows.
//          Default 1.
//   loop   bool (true/false, yes/no, on/off, 1/0). Default false: the replay ends
//          after the last row. When true it starts over, with timestamps shifted
//          so that they keep increasing (cursor.h).
//
// An unknown key, a repeated key or a bad value is an error naming the key.
//
// Thread safety: pure functions.

#pragma once

#include <span>
#include <string>

#include <mxgw/status.h>
#include "worker/common/parse.h"

namespace mxgw::replay {

struct ReplayOptions {
  std::string file;
  double speed = 1;  // 0: as fast as possible
  bool loop = false;
};

// On error `*out` is left unchanged.
Status parse_replay_options(std::span<const worker::OptionPair> pairs, ReplayOptions* out);

}  // namespace mxgw::replay
