// Where the scheduler's updates go. Numeric updates are written straight into the
// caller's array of proto::DataChange, the struct an EventBatch carries, with no
// call per change. String updates, which need a table in the batch anyway, go one
// by one to a StringSink, each with its position among all the updates of the same
// poll(), so that the caller can number the batch's events in the order they were
// produced (see events.fbs, "Ordering").
//
// Thread safety: an EmitTarget and its sink are used by one thread.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <mxgw/schema/events_generated.h>

namespace mxgw::sim {

struct StringChange {
  std::int32_t server_handle;
  std::int32_t item_handle;
  std::uint32_t quality;
  std::int64_t source_time_ns;
  std::string_view value;  // valid only during the call
  std::uint32_t position;  // updates emitted before this one in the same poll()
};

class StringSink {
 public:
  virtual ~StringSink() = default;
  virtual void on_string_change(const StringChange& change) = 0;
};

// The state of one poll()'s output.
struct EmitTarget {
  proto::DataChange* numeric;  // room for `budget` changes
  std::size_t budget;          // updates of either kind this poll() may still emit, in total
  std::size_t emitted = 0;     // updates of either kind emitted so far
  std::size_t numeric_count = 0;
  std::size_t string_count = 0;
  StringSink* strings;

  bool full() const { return emitted == budget; }
};

}  // namespace mxgw::sim
