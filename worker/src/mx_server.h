// MxServer: the MXAccess LMXProxyServer semantics of one session, on top of a
// Backend. It owns registrations (server handles), items (item handles), advise and
// suspend state, buffered items and their update intervals, authenticated users and
// write ids, and answers each command with a result or a precise error:
//   - any command but Register before the first Register: NotRegistered;
//   - an unknown or unregistered server handle: UnknownServerHandle;
//   - an unknown or removed item handle, or one of another registration:
//     UnknownItemHandle;
//   - a tag the backend does not know: UnknownTag;
//   - a write to an item that is not advised: NotAdvised (MXAccess requires Advise);
//   - a write to a read-only item: ReadOnly; of the wrong type: TypeMismatch;
//   - WriteSecured with a user that has not authenticated: UnknownUser.
// Item definitions may be relative: with AddItem2/AddBufferedItem, "me.Level" in
// the context "Tank_042" names "Tank_042.Level".
//
// Thread safety: none; the worker's loop thread only.

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "worker/src/backend.h"
#include "worker/src/event_batcher.h"

namespace mxgw::worker {

class MxServer {
 public:
  // Called when the set of buffered items or a registration's interval changes, so
  // the owner can (re)arm the buffered delivery timer.
  using BufferedScheduleChanged = std::function<void()>;

  MxServer(Backend& backend, EventBatcher& events, BufferedScheduleChanged on_buffered_change);

  Outcome register_client(std::string_view client_name, int32_t* server_handle);
  Outcome unregister(int32_t server_handle);
  Outcome add_item(int32_t server_handle, std::string_view item_def, std::string_view context, bool buffered,
                   int32_t* item_handle);
  Outcome remove_item(int32_t server_handle, int32_t item_handle);
  Outcome advise(int32_t server_handle, int32_t item_handle, bool supervisory);
  Outcome unadvise(int32_t server_handle, int32_t item_handle);
  Outcome suspend(int32_t server_handle, int32_t item_handle);
  Outcome activate(int32_t server_handle, int32_t item_handle);
  // On success *write_id names the write; its OnWriteComplete is queued at once.
  Outcome write(int32_t server_handle, int32_t item_handle, const proto::Value& value, int64_t timestamp_ns,
                int32_t user_id, uint64_t* write_id);
  Outcome write_secured(int32_t server_handle, int32_t item_handle, int32_t current_user, int32_t verifier_user,
                        const proto::Value& value, int64_t timestamp_ns, uint64_t* write_id);
  Outcome authenticate_user(int32_t server_handle, std::string_view user, std::string_view password, int32_t* user_id);
  Outcome user_to_id(int32_t server_handle, std::string_view user_guid, int32_t* user_id);
  Outcome set_buffered_update_interval(int32_t server_handle, int32_t interval_ms);

  // Buffered delivery: samples of buffered items accumulate here and go out as one
  // OnBufferedDataChange per item when their registration's interval elapses.
  void add_buffered_sample(ItemKey key, BufferedSample sample);
  // Emits every registration's due buffered changes; returns the next due time.
  int64_t flush_buffered(int64_t now_ns);

 private:
  struct Item {
    int32_t server_handle = 0;
    ItemInfo info;
    bool buffered = false;
    bool advised = false;
    bool supervisory = false;
    bool suspended = false;
    std::vector<BufferedSample> samples;
  };
  struct Registration {
    std::string client_name;
    int64_t buffered_interval_ns = 1'000'000'000;
    int64_t next_buffered_flush_ns = 0;
    std::map<int32_t, bool> items;  // item handle → buffered, in creation order of handles
  };

  Outcome find_registration(int32_t server_handle, Registration** out);
  Outcome find_item(int32_t server_handle, int32_t item_handle, Item** out);
  Outcome check_write(int32_t server_handle, int32_t item_handle, const proto::Value& value, Item** item,
                      ScalarValue* converted);
  Outcome apply_write(int32_t server_handle, int32_t item_handle, const ScalarValue& value, int64_t timestamp_ns,
                      uint64_t* write_id);
  void update_activity(int32_t item_handle, Item& item);

  Backend& backend_;
  EventBatcher& events_;
  BufferedScheduleChanged on_buffered_change_;
  std::unordered_map<int32_t, Registration> registrations_;
  std::unordered_map<int32_t, Item> items_;
  std::unordered_map<int32_t, std::string> users_;  // authenticated user id → name
  int32_t next_server_handle_ = 1;
  int32_t next_item_handle_ = 1;
  uint64_t next_write_id_ = 1;
  bool ever_registered_ = false;
};

}  // namespace mxgw::worker
