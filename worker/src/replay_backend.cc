// Adapter from a replay recording and cursor to the Backend interface.

#include "worker/src/replay_backend.h"

#include <optional>
#include <unordered_map>
#include <vector>

#include "worker/replay/cursor.h"
#include "worker/replay/options.h"
#include "worker/replay/recording.h"
#include "worker/src/event_batcher.h"

namespace mxgw::worker {
namespace {

using proto::CommandError;

bool escapes(const std::string& file) {
  if (file.empty() || file.front() == '/') return true;
  size_t start = 0;
  while (start <= file.size()) {
    const size_t end = std::min(file.find('/', start), file.size());
    if (file.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

class ReplayBackend final : public Backend {
 public:
  ReplayBackend(replay::Recording recording, const replay::ReplayOptions& options)
      : recording_(std::move(recording)), options_(options), subscribers_(recording_.tags().size()) {}

  Outcome add_item(ItemKey key, std::string_view tag, bool buffered, ItemInfo* info) override {
    uint32_t id = 0;
    if (!recording_.find(tag, &id)) {
      return Outcome::failure(CommandError::UnknownTag, "the recording has no tag '" + std::string(tag) + "'");
    }
    info->data_type = recording_.tags()[id].data_type;
    info->writable = false;
    items_[key.packed()] = {id, buffered};
    return {};
  }

  void remove_item(ItemKey key) override { items_.erase(key.packed()); }

  void set_active(ItemKey key, bool active) override {
    const auto found = items_.find(key.packed());
    if (found == items_.end()) return;
    std::vector<Subscriber>& list = subscribers_[found->second.tag];
    std::erase_if(list, [&](const Subscriber& s) { return s.key == key; });
    if (active) {
      list.push_back({key, found->second.buffered});
      if (!cursor_) cursor_.emplace(recording_, options_.speed, options_.loop, wall_clock_ns());
    }
  }

  Outcome write(ItemKey, const ScalarValue&, int64_t) override {
    return Outcome::failure(CommandError::ReadOnly, "recorded items are read-only");
  }

  int64_t produce(int64_t now_ns, EventBatcher& out) override {
    if (!cursor_) return kNoDeadline;
    while (out.wants_more()) {
      const replay::ReplayRun run = cursor_->next(now_ns, out.bulk_budget());
      if (run.count == 0) break;
      for (size_t i = run.first; i < run.first + run.count; ++i) emit(recording_.samples()[i], run.shift_ns, out);
    }
    const int64_t due = cursor_->next_due_ns();
    return due == replay::kNever ? kNoDeadline : due;
  }

  uint64_t coalesce_backlog(int64_t) override { return 0; }

  Outcome authenticate(std::string_view, std::string_view, int32_t*) override {
    return Outcome::failure(CommandError::UnknownUser, "the replay backend has no users");
  }
  Outcome user_id_from_guid(std::string_view, int32_t*) override {
    return Outcome::failure(CommandError::UnknownUser, "the replay backend has no users");
  }

 private:
  struct Subscriber {
    ItemKey key;
    bool buffered;
  };
  struct ReplayItem {
    uint32_t tag;
    bool buffered;
  };

  void emit(const replay::Sample& sample, int64_t shift_ns, EventBatcher& out) {
    const proto::MxDataType type = recording_.tags()[sample.tag].data_type;
    const int64_t stamp = sample.time_ns + shift_ns;
    for (const Subscriber& s : subscribers_[sample.tag]) {
      if (is_numeric(type) && !s.buffered) {
        out.add_numeric(s.key, type, sample.number(), sample.quality, stamp);
        continue;
      }
      ScalarValue value = is_numeric(type) ? ScalarValue::of_number(type, sample.number())
                                           : ScalarValue{type, 0, 0, std::string(recording_.text(sample))};
      if (s.buffered) {
        out.add_buffered_sample(s.key, {std::move(value), sample.quality, stamp});
      } else {
        out.add_data_change(s.key, value, sample.quality, stamp);
      }
    }
  }

  replay::Recording recording_;
  replay::ReplayOptions options_;
  std::optional<replay::ReplayCursor> cursor_;
  std::vector<std::vector<Subscriber>> subscribers_;  // by recorded tag id
  std::unordered_map<uint64_t, ReplayItem> items_;
};

}  // namespace

std::unique_ptr<Backend> make_replay_backend(std::span<const OptionPair> options, const std::string& replay_dir,
                                             std::string* message) {
  replay::ReplayOptions parsed;
  if (Status s = replay::parse_replay_options(options, &parsed); !s.is_ok()) {
    *message = "replay: " + s.message();
    return nullptr;
  }
  if (replay_dir.empty()) {
    *message = "replay: the gateway has no replay directory configured";
    return nullptr;
  }
  if (escapes(parsed.file)) {
    *message = "replay: file '" + parsed.file + "' must be a relative path inside the replay directory";
    return nullptr;
  }
  replay::Recording recording;
  if (Status s = replay::read_recording_file(replay_dir + "/" + parsed.file, &recording); !s.is_ok()) {
    *message = "replay: " + s.message();
    return nullptr;
  }
  return std::make_unique<ReplayBackend>(std::move(recording), parsed);
}

}  // namespace mxgw::worker
