// dlopen-based backend adapter.

#include "worker/src/plugin_backend.h"

#include <dlfcn.h>

#include <mxgw/mxgw_plugin.h>

#include "worker/src/event_batcher.h"

namespace mxgw::worker {
namespace {

constexpr size_t kErrorBytes = 512;

mxgw_plugin_value to_c(const ScalarValue& value) {
  return {static_cast<int16_t>(value.type), value.number, value.nanoseconds, value.text.data(), value.text.size()};
}

ScalarValue from_c(const mxgw_plugin_value& value) {
  ScalarValue out;
  out.type = static_cast<proto::MxDataType>(value.data_type);
  out.number = value.number;
  out.nanoseconds = value.nanoseconds;
  if (value.text) out.text.assign(value.text, value.text_length);
  return out;
}

Outcome from_result(int result, const char* error) {
  if (result == MXGW_PLUGIN_OK) return {};
  return Outcome::failure(static_cast<proto::CommandError>(result), error[0] ? error : "the plugin refused");
}

class PluginBackend final : public Backend {
 public:
  PluginBackend(void* library, const mxgw_plugin_vtable* vtable, mxgw_plugin* instance)
      : library_(library), vtable_(vtable), instance_(instance) {}
  ~PluginBackend() override {
    vtable_->destroy(instance_);
    dlclose(library_);
  }

  Outcome add_item(ItemKey key, std::string_view tag, bool buffered, ItemInfo* info) override {
    char error[kErrorBytes] = {};
    int16_t type = 0;
    int writable = 0;
    const std::string name(tag);
    const int result =
        vtable_->add_item(instance_, c_key(key), name.c_str(), buffered ? 1 : 0, &type, &writable, error, sizeof error);
    info->data_type = static_cast<proto::MxDataType>(type);
    info->writable = writable != 0;
    return from_result(result, error);
  }
  void remove_item(ItemKey key) override { vtable_->remove_item(instance_, c_key(key)); }
  void set_active(ItemKey key, bool active) override { vtable_->set_active(instance_, c_key(key), active ? 1 : 0); }

  Outcome write(ItemKey key, const ScalarValue& value, int64_t timestamp_ns) override {
    char error[kErrorBytes] = {};
    const mxgw_plugin_value c_value = to_c(value);
    return from_result(vtable_->write(instance_, c_key(key), &c_value, timestamp_ns, error, sizeof error), error);
  }

  int64_t produce(int64_t now_ns, EventBatcher& out) override {
    Host host{&out};
    return vtable_->produce(instance_, now_ns, &kHostApi, reinterpret_cast<mxgw_plugin_host*>(&host));
  }

  uint64_t coalesce_backlog(int64_t now_ns) override {
    return vtable_->coalesce_backlog ? vtable_->coalesce_backlog(instance_, now_ns) : 0;
  }

  Outcome authenticate(std::string_view user, std::string_view password, int32_t* user_id) override {
    if (!vtable_->authenticate) return Outcome::failure(proto::CommandError::UnknownUser, "this backend has no users");
    const std::string u(user), p(password);
    const int result = vtable_->authenticate(instance_, u.c_str(), p.c_str(), user_id);
    return from_result(result, "user name or password not accepted");
  }

  Outcome user_id_from_guid(std::string_view guid, int32_t* user_id) override {
    if (!vtable_->user_id_from_guid) {
      return Outcome::failure(proto::CommandError::UnknownUser, "this backend has no users");
    }
    const std::string g(guid);
    return from_result(vtable_->user_id_from_guid(instance_, g.c_str(), user_id), "unknown user GUID");
  }

 private:
  struct Host {
    EventBatcher* out;
  };
  static mxgw_plugin_item_key c_key(ItemKey key) { return {key.server_handle, key.item_handle}; }
  static int emit(mxgw_plugin_host* host, mxgw_plugin_item_key key, const mxgw_plugin_value* value, uint32_t quality,
                  int64_t source_time_ns, const mxgw_plugin_status* status) {
    EventBatcher& out = *reinterpret_cast<Host*>(host)->out;
    if (status && status->success == 0) {
      const proto::MxStatus failed(status->success, static_cast<proto::MxStatusCategory>(status->category),
                                   static_cast<proto::MxStatusSource>(status->detected_by), status->detail);
      out.add_data_change({key.server_handle, key.item_handle}, from_c(*value), quality, source_time_ns, {&failed, 1});
    } else {
      out.add_data_change({key.server_handle, key.item_handle}, from_c(*value), quality, source_time_ns);
    }
    return out.wants_more() ? 1 : 0;
  }
  static constexpr mxgw_plugin_host_api kHostApi{sizeof(mxgw_plugin_host_api), &PluginBackend::emit};

  void* library_;
  const mxgw_plugin_vtable* vtable_;
  mxgw_plugin* instance_;
};

}  // namespace

std::unique_ptr<Backend> load_plugin_backend(const std::string& path, std::span<const OptionPair> options,
                                             bool* options_rejected, std::string* message) {
  *options_rejected = false;
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    *message = std::string("cannot load plugin: ") + dlerror();
    return nullptr;
  }
  auto fail = [&](std::string why) -> std::unique_ptr<Backend> {
    *message = "plugin " + path + ": " + why;
    dlclose(library);
    return nullptr;
  };
  auto entry = reinterpret_cast<mxgw_plugin_entry_fn>(dlsym(library, "mxgw_plugin_entry"));
  if (!entry) return fail("does not export mxgw_plugin_entry");
  const mxgw_plugin_vtable* vtable = entry();
  if (!vtable) return fail("mxgw_plugin_entry returned no table");
  if (vtable->abi_version != MXGW_PLUGIN_ABI_VERSION) {
    return fail("built for backend ABI " + std::to_string(vtable->abi_version) + ", this worker speaks " +
                std::to_string(MXGW_PLUGIN_ABI_VERSION));
  }
  if (vtable->struct_size < sizeof(mxgw_plugin_vtable) || !vtable->create || !vtable->destroy || !vtable->add_item ||
      !vtable->remove_item || !vtable->set_active || !vtable->write || !vtable->produce) {
    return fail("its callback table is incomplete");
  }
  std::vector<std::string> texts;
  texts.reserve(options.size() * 2);
  std::vector<mxgw_plugin_option> c_options;
  for (const OptionPair& pair : options) {
    texts.emplace_back(pair.key);
    texts.emplace_back(pair.value);
  }
  for (size_t i = 0; i < options.size(); ++i) c_options.push_back({texts[2 * i].c_str(), texts[2 * i + 1].c_str()});
  char error[kErrorBytes] = {};
  mxgw_plugin* instance = nullptr;
  if (vtable->create(c_options.data(), c_options.size(), &instance, error, sizeof error) != MXGW_PLUGIN_OK ||
      !instance) {
    *options_rejected = true;
    return fail(error[0] ? error : "create() failed");
  }
  return std::make_unique<PluginBackend>(library, vtable, instance);
}

}  // namespace mxgw::worker
