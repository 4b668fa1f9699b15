// Backend: what a data source implements to be served by mxgw-worker. The worker owns
// the MXAccess semantics (registrations, handles, advise state, write ids, buffered
// delivery); a backend only knows tags, values and time.
//
// Items are keyed by the (server handle, item handle) pair the worker assigned, so a
// backend writes events with their final handles and the worker never translates on
// the hot path. An item produces nothing until set_active(true) (advised and not
// suspended) and stops at set_active(false).
//
// Thread safety: every call comes from the worker's single loop thread.

#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mxgw/schema/worker_generated.h>

#include "worker/common/outcome.h"
#include "worker/src/scalar_value.h"

namespace mxgw::worker {

class EventBatcher;

struct ItemKey {
  int32_t server_handle = 0;
  int32_t item_handle = 0;
  friend bool operator==(const ItemKey&, const ItemKey&) = default;
  // Both handles in one integer, for hash maps.
  uint64_t packed() const {
    return (uint64_t{static_cast<uint32_t>(server_handle)} << 32) | static_cast<uint32_t>(item_handle);
  }
};

struct ItemInfo {
  proto::MxDataType data_type = proto::MxDataType::NoData;
  bool writable = false;
};

inline constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

class Backend {
 public:
  virtual ~Backend() = default;

  // Resolves `tag` for a new item. Errors: UnknownTag (with what is wrong with it).
  virtual Outcome add_item(ItemKey key, std::string_view tag, bool buffered, ItemInfo* info) = 0;
  virtual void remove_item(ItemKey key) = 0;
  virtual void set_active(ItemKey key, bool active) = 0;

  // Applies a write whose type the worker has already checked against ItemInfo. The
  // echo of the new value, if the item is active, comes out of produce(). Errors:
  // ReadOnly, TypeMismatch, InvalidArgument, BackendFailure.
  virtual Outcome write(ItemKey key, const ScalarValue& value, int64_t timestamp_ns) = 0;

  // Emits, in time order per item, every update due at or before `now_ns`, until
  // `out` is full. Returns when it next has work: `now_ns` or earlier when it stopped
  // because `out` filled, kNoDeadline when nothing is scheduled.
  virtual int64_t produce(int64_t now_ns, EventBatcher& out) = 0;

  // After the connection pushed back: drops every update due before `now_ns` except
  // each item's newest, and returns how many updates were merged away that way.
  virtual uint64_t coalesce_backlog(int64_t now_ns) = 0;

  // User directory for AuthenticateUser/ArchestrAUserToId/WriteSecured. A backend
  // without users answers UnknownUser.
  virtual Outcome authenticate(std::string_view user, std::string_view password, int32_t* user_id) = 0;
  virtual Outcome user_id_from_guid(std::string_view guid, int32_t* user_id) = 0;
};

}  // namespace mxgw::worker
