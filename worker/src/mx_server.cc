// MXAccess command semantics over a Backend.

#include "worker/src/mx_server.h"

#include <algorithm>

#include "worker/src/mx_status.h"

namespace mxgw::worker {
namespace {

using proto::CommandError;

// "me.Level" relative to "Tank_042" is "Tank_042.Level"; anything else stands as is.
std::string resolve_relative(std::string_view item_def, std::string_view context) {
  constexpr std::string_view kSelf = "me.";
  if (context.empty() || item_def.size() <= kSelf.size()) return std::string(item_def);
  std::string head(item_def.substr(0, kSelf.size()));
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  if (head != kSelf) return std::string(item_def);
  return std::string(context) + "." + std::string(item_def.substr(kSelf.size()));
}

}  // namespace

MxServer::MxServer(Backend& backend, EventBatcher& events, BufferedScheduleChanged on_buffered_change)
    : backend_(backend), events_(events), on_buffered_change_(std::move(on_buffered_change)) {}

Outcome MxServer::find_registration(int32_t server_handle, Registration** out) {
  if (registrations_.empty()) {
    return Outcome::failure(CommandError::NotRegistered, "no client is registered: call Register first");
  }
  auto found = registrations_.find(server_handle);
  if (found == registrations_.end()) {
    return Outcome::failure(CommandError::UnknownServerHandle,
                            "server handle " + std::to_string(server_handle) + " is not registered");
  }
  *out = &found->second;
  return {};
}

Outcome MxServer::find_item(int32_t server_handle, int32_t item_handle, Item** out) {
  Registration* registration = nullptr;
  if (Outcome o = find_registration(server_handle, &registration); !o.ok()) return o;
  auto found = items_.find(item_handle);
  if (found == items_.end() || found->second.server_handle != server_handle) {
    return Outcome::failure(CommandError::UnknownItemHandle, "item handle " + std::to_string(item_handle) +
                                                                 " does not exist under server handle " +
                                                                 std::to_string(server_handle));
  }
  *out = &found->second;
  return {};
}

Outcome MxServer::register_client(std::string_view client_name, int32_t* server_handle) {
  if (client_name.empty()) return Outcome::failure(CommandError::InvalidArgument, "Register needs a client name");
  *server_handle = next_server_handle_++;
  registrations_[*server_handle].client_name = client_name;
  return {};
}

Outcome MxServer::unregister(int32_t server_handle) {
  Registration* registration = nullptr;
  if (Outcome o = find_registration(server_handle, &registration); !o.ok()) return o;
  const std::map<int32_t, bool> handles = registration->items;
  for (const auto& [item_handle, buffered] : handles) remove_item(server_handle, item_handle);
  registrations_.erase(server_handle);
  on_buffered_change_();
  return {};
}

Outcome MxServer::add_item(int32_t server_handle, std::string_view item_def, std::string_view context, bool buffered,
                           int32_t* item_handle) {
  Registration* registration = nullptr;
  if (Outcome o = find_registration(server_handle, &registration); !o.ok()) return o;
  if (item_def.empty()) return Outcome::failure(CommandError::InvalidArgument, "the item definition is empty");
  const std::string tag = resolve_relative(item_def, context);
  const int32_t handle = next_item_handle_;
  ItemInfo info;
  if (Outcome o = backend_.add_item({server_handle, handle}, tag, buffered, &info); !o.ok()) return o;
  ++next_item_handle_;
  Item& item = items_[handle];
  item.server_handle = server_handle;
  item.info = info;
  item.buffered = buffered;
  registration->items[handle] = buffered;
  *item_handle = handle;
  if (buffered) on_buffered_change_();
  return {};
}

Outcome MxServer::remove_item(int32_t server_handle, int32_t item_handle) {
  Item* item = nullptr;
  if (Outcome o = find_item(server_handle, item_handle, &item); !o.ok()) return o;
  if (item->advised && !item->suspended) backend_.set_active({server_handle, item_handle}, false);
  backend_.remove_item({server_handle, item_handle});
  registrations_[server_handle].items.erase(item_handle);
  items_.erase(item_handle);
  return {};
}

void MxServer::update_activity(int32_t item_handle, Item& item) {
  backend_.set_active({item.server_handle, item_handle}, item.advised && !item.suspended);
}

Outcome MxServer::advise(int32_t server_handle, int32_t item_handle, bool supervisory) {
  Item* item = nullptr;
  if (Outcome o = find_item(server_handle, item_handle, &item); !o.ok()) return o;
  const bool was_active = item->advised && !item->suspended;
  item->advised = true;
  item->supervisory = supervisory;
  if (!was_active) update_activity(item_handle, *item);
  return {};
}

Outcome MxServer::unadvise(int32_t server_handle, int32_t item_handle) {
  Item* item = nullptr;
  if (Outcome o = find_item(server_handle, item_handle, &item); !o.ok()) return o;
  if (!item->advised) {
    return Outcome::failure(CommandError::NotAdvised, "item handle " + std::to_string(item_handle) + " is not advised");
  }
  const bool was_active = !item->suspended;
  item->advised = false;
  item->supervisory = false;
  if (was_active) update_activity(item_handle, *item);
  return {};
}

Outcome MxServer::suspend(int32_t server_handle, int32_t item_handle) {
  Item* item = nullptr;
  if (Outcome o = find_item(server_handle, item_handle, &item); !o.ok()) return o;
  if (!item->suspended) {
    item->suspended = true;
    if (item->advised) update_activity(item_handle, *item);
  }
  return {};
}

Outcome MxServer::activate(int32_t server_handle, int32_t item_handle) {
  Item* item = nullptr;
  if (Outcome o = find_item(server_handle, item_handle, &item); !o.ok()) return o;
  if (item->suspended) {
    item->suspended = false;
    if (item->advised) update_activity(item_handle, *item);
  }
  return {};
}

Outcome MxServer::check_write(int32_t server_handle, int32_t item_handle, const proto::Value& value, Item** item,
                              ScalarValue* converted) {
  if (Outcome o = find_item(server_handle, item_handle, item); !o.ok()) return o;
  if (!(*item)->advised) {
    return Outcome::failure(CommandError::NotAdvised,
                            "item handle " + std::to_string(item_handle) + " must be advised before it is written");
  }
  if (!(*item)->info.writable) {
    return Outcome::failure(CommandError::ReadOnly, "item handle " + std::to_string(item_handle) + " is read-only");
  }
  std::string message;
  if (CommandError e = convert_for_write(value, (*item)->info.data_type, converted, &message);
      e != CommandError::None) {
    return Outcome::failure(e, message);
  }
  return {};
}

Outcome MxServer::apply_write(int32_t server_handle, int32_t item_handle, const ScalarValue& value,
                              int64_t timestamp_ns, uint64_t* write_id) {
  if (Outcome o = backend_.write({server_handle, item_handle}, value, timestamp_ns); !o.ok()) return o;
  *write_id = next_write_id_++;
  events_.add_write_complete({server_handle, item_handle}, *write_id, success_status());
  return {};
}

Outcome MxServer::write(int32_t server_handle, int32_t item_handle, const proto::Value& value, int64_t timestamp_ns,
                        int32_t /*user_id*/, uint64_t* write_id) {
  Item* item = nullptr;
  ScalarValue converted;
  if (Outcome o = check_write(server_handle, item_handle, value, &item, &converted); !o.ok()) return o;
  return apply_write(server_handle, item_handle, converted, timestamp_ns, write_id);
}

Outcome MxServer::write_secured(int32_t server_handle, int32_t item_handle, int32_t current_user, int32_t verifier_user,
                                const proto::Value& value, int64_t timestamp_ns, uint64_t* write_id) {
  Item* item = nullptr;
  ScalarValue converted;
  if (Outcome o = check_write(server_handle, item_handle, value, &item, &converted); !o.ok()) return o;
  if (!users_.contains(current_user)) {
    return Outcome::failure(CommandError::UnknownUser, "user id " + std::to_string(current_user) +
                                                           " has not authenticated (AuthenticateUser first)");
  }
  // Verifier 0 means a secured write that needs no second signature.
  if (verifier_user != 0 && !users_.contains(verifier_user)) {
    return Outcome::failure(CommandError::UnknownUser,
                            "verifier user id " + std::to_string(verifier_user) + " has not authenticated");
  }
  return apply_write(server_handle, item_handle, converted, timestamp_ns, write_id);
}

Outcome MxServer::authenticate_user(int32_t server_handle, std::string_view user, std::string_view password,
                                    int32_t* user_id) {
  Registration* registration = nullptr;
  if (Outcome o = find_registration(server_handle, &registration); !o.ok()) return o;
  if (Outcome o = backend_.authenticate(user, password, user_id); !o.ok()) return o;
  users_[*user_id] = user;
  return {};
}

Outcome MxServer::user_to_id(int32_t server_handle, std::string_view user_guid, int32_t* user_id) {
  Registration* registration = nullptr;
  if (Outcome o = find_registration(server_handle, &registration); !o.ok()) return o;
  return backend_.user_id_from_guid(user_guid, user_id);
}

Outcome MxServer::set_buffered_update_interval(int32_t server_handle, int32_t interval_ms) {
  Registration* registration = nullptr;
  if (Outcome o = find_registration(server_handle, &registration); !o.ok()) return o;
  if (interval_ms <= 0) {
    return Outcome::failure(CommandError::InvalidArgument,
                            "buffered update interval must be positive, not " + std::to_string(interval_ms) + " ms");
  }
  registration->buffered_interval_ns = int64_t{interval_ms} * 1'000'000;
  registration->next_buffered_flush_ns = 0;
  on_buffered_change_();
  return {};
}

void MxServer::add_buffered_sample(ItemKey key, BufferedSample sample) {
  auto found = items_.find(key.item_handle);
  if (found != items_.end()) found->second.samples.push_back(std::move(sample));
}

int64_t MxServer::flush_buffered(int64_t now_ns) {
  int64_t next_due = kNoDeadline;
  for (auto& [server_handle, registration] : registrations_) {
    bool has_buffered = false;
    for (const auto& [item_handle, buffered] : registration.items) has_buffered |= buffered;
    if (!has_buffered) continue;
    if (registration.next_buffered_flush_ns == 0) {
      registration.next_buffered_flush_ns = now_ns + registration.buffered_interval_ns;
    }
    if (registration.next_buffered_flush_ns <= now_ns) {
      for (const auto& [item_handle, buffered] : registration.items) {
        Item& item = items_[item_handle];
        if (!buffered || item.samples.empty()) continue;
        events_.add_buffered_change({server_handle, item_handle}, item.info.data_type, item.samples);
        item.samples.clear();
      }
      registration.next_buffered_flush_ns = now_ns + registration.buffered_interval_ns;
    }
    next_due = std::min(next_due, registration.next_buffered_flush_ns);
  }
  return next_due;
}

}  // namespace mxgw::worker
