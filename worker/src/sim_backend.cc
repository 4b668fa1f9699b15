// Adapter from the sim scheduler to the Backend interface.

#include "worker/src/sim_backend.h"

#include <array>
#include <unordered_map>
#include <vector>

#include "worker/sim/galaxy.h"
#include "worker/sim/options.h"
#include "worker/sim/scheduler.h"
#include "worker/src/event_batcher.h"
#include "worker/src/sim_users.h"

namespace mxgw::worker {
namespace {

using proto::CommandError;

// Strings of the main scheduler go into the batch at their place in the bulk.
class BatchStrings final : public sim::StringSink {
 public:
  explicit BatchStrings(EventBatcher& out) : out_(out) {}
  void on_string_change(const sim::StringChange& c) override {
    out_.add_bulk_data_change(c.position, {c.server_handle, c.item_handle}, ScalarValue::of_text(std::string(c.value)),
                              c.quality, c.source_time_ns);
  }

 private:
  EventBatcher& out_;
};

// Strings of the buffered scheduler become buffered samples.
class BufferedStrings final : public sim::StringSink {
 public:
  explicit BufferedStrings(EventBatcher& out) : out_(out) {}
  void on_string_change(const sim::StringChange& c) override {
    out_.add_buffered_sample({c.server_handle, c.item_handle},
                             {ScalarValue::of_text(std::string(c.value)), c.quality, c.source_time_ns});
  }

 private:
  EventBatcher& out_;
};

class SimBackend final : public Backend {
 public:
  explicit SimBackend(const sim::SimOptions& options)
      : galaxy_(options.tags), live_(options), buffered_(options), buffered_scratch_(kBufferedChunk) {}

  Outcome add_item(ItemKey key, std::string_view tag, bool buffered, ItemInfo* info) override {
    sim::TagId id;
    if (Outcome o = galaxy_.resolve(tag, &id); !o.ok()) return o;
    const sim::AttributeDef& attribute = sim::attribute(id);
    info->data_type = attribute.data_type;
    info->writable = attribute.writable;
    items_[key.packed()] = {id, buffered};
    return {};
  }

  void remove_item(ItemKey key) override { items_.erase(key.packed()); }

  void set_active(ItemKey key, bool active) override {
    const auto found = items_.find(key.packed());
    if (found == items_.end()) return;
    sim::Scheduler& scheduler = found->second.buffered ? buffered_ : live_;
    const sim::ItemHandles handles{key.server_handle, key.item_handle};
    if (active) {
      scheduler.add(handles, found->second.tag, wall_clock_ns());
    } else {
      scheduler.remove(handles);
    }
  }

  Outcome write(ItemKey key, const ScalarValue& value, int64_t timestamp_ns) override {
    const auto found = items_.find(key.packed());
    if (found == items_.end()) return Outcome::failure(CommandError::UnknownItemHandle, "no such sim item");
    const sim::WriteValue written{value.type, value.number, value.text};
    const int64_t when = timestamp_ns > 0 ? timestamp_ns : wall_clock_ns();
    // Both schedulers keep their own setpoint store; each echoes to its own items.
    if (Outcome o = live_.write(found->second.tag, written, when); !o.ok()) return o;
    return buffered_.write(found->second.tag, written, when);
  }

  int64_t produce(int64_t now_ns, EventBatcher& out) override {
    BatchStrings strings(out);
    while (out.wants_more()) {
      const size_t budget = out.bulk_budget();
      out.begin_bulk();
      const sim::PollResult r = live_.poll(now_ns, {out.bulk_room(), budget}, strings);
      out.end_bulk(r.numeric);
      if (r.numeric + r.strings < budget) break;  // everything due has been emitted
    }
    produce_buffered(now_ns, out);
    return std::min(deadline(live_.next_due_ns()), deadline(buffered_.next_due_ns()));
  }

  uint64_t coalesce_backlog(int64_t now_ns) override { return live_.coalesce(now_ns) + buffered_.coalesce(now_ns); }

  Outcome authenticate(std::string_view user, std::string_view password, int32_t* user_id) override {
    return sim_authenticate(user, password, user_id);
  }
  Outcome user_id_from_guid(std::string_view guid, int32_t* user_id) override {
    return sim_user_from_guid(guid, user_id);
  }

 private:
  static constexpr size_t kBufferedChunk = 1024;
  struct SimItem {
    sim::TagId tag;
    bool buffered = false;
  };

  static int64_t deadline(int64_t due) { return due == sim::kNever ? kNoDeadline : due; }

  void produce_buffered(int64_t now_ns, EventBatcher& out) {
    BufferedStrings strings(out);
    for (;;) {
      const sim::PollResult r = buffered_.poll(now_ns, buffered_scratch_, strings);
      for (size_t i = 0; i < r.numeric; ++i) {
        const proto::DataChange& c = buffered_scratch_[i];
        out.add_buffered_sample({c.server_handle(), c.item_handle()},
                                {ScalarValue::of_number(c.data_type(), c.value()), c.quality(), c.source_time_ns()});
      }
      if (r.numeric + r.strings < buffered_scratch_.size()) return;
    }
  }

  sim::Galaxy galaxy_;
  sim::Scheduler live_;
  sim::Scheduler buffered_;
  std::vector<proto::DataChange> buffered_scratch_;
  std::unordered_map<uint64_t, SimItem> items_;
};

}  // namespace

std::unique_ptr<Backend> make_sim_backend(std::span<const OptionPair> options, std::string* message) {
  sim::SimOptions parsed;
  if (Status s = sim::parse_sim_options(options, &parsed); !s.is_ok()) {
    *message = "sim: " + s.message();
    return nullptr;
  }
  return std::make_unique<SimBackend>(parsed);
}

}  // namespace mxgw::worker
