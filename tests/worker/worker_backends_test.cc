// The three kinds of backend, end to end through a real worker: sim determinism
// (same seed, same values; another seed, other values), replay order and timing at
// a fast multiple, and the example C plugin proving the plugin ABI from outside.

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "tests/worker/worker_fixture.h"

namespace mxgw::testing {
namespace {

using proto::CommandError;
using Kind = transport::EventRef::Kind;

class WorkerBackendsTest : public WorkerFixture {};

// Values of one item by source timestamp.
std::map<int64_t, double> values_of(const WorkerPeer& peer, int32_t item) {
  std::map<int64_t, double> values;
  for (const SeenEvent& e : peer.events_of(item, Kind::NumericChange)) values[e.source_time_ns] = e.number;
  return values;
}

// Compares two samplings on the timestamps both saw; returns how many that is.
size_t compare(const std::map<int64_t, double>& a, const std::map<int64_t, double>& b, size_t* equal) {
  size_t common = 0;
  *equal = 0;
  for (const auto& [time, value] : a) {
    const auto found = b.find(time);
    if (found == b.end()) continue;
    ++common;
    if (found->second == value) ++*equal;
  }
  return common;
}

TEST_F(WorkerBackendsTest, SimIsDeterministicPerSeed) {
  // Three workers at once, so that their updates share timestamps: two with seed
  // 42, one with seed 43.
  WorkerPeer twin(&loop_);
  WorkerPeer other(&loop_);
  auto sim_launch = [&](const std::string& seed, const std::string& session) {
    engine::WorkerLaunch l = launch("sim", {{"seed", seed}, {"rate_ms", "2"}});
    l.session_id = session;
    l.socket_path = runtime_dir_ + "/" + session + ".sock";
    return l;
  };
  start_async(sim_launch("42", "session-a"));
  twin.start_async(sim_launch("42", "session-b"));
  other.start_async(sim_launch("43", "session-c"));
  ASSERT_TRUE(run_until([&] { return ready_ && twin.ready_ && other.ready_; }));
  // Sine and ramp values are pure functions of (seed, tag, slot), so workers agree at
  // every shared timestamp. (A random walk is reproducible from its first update, and
  // workers advised in different slots start it in different places.)
  const std::vector<std::string> tags = {"Line_001.Rate", "Valve_002.Position", "Tank_004.Level"};
  std::vector<int32_t> items;
  for (WorkerPeer* peer : {static_cast<WorkerPeer*>(this), &twin, &other}) {
    const int32_t server = peer->register_client();
    items.clear();
    for (const std::string& tag : tags) items.push_back(peer->add_item(server, tag));
    for (int32_t item : items) peer->advise(server, item);
  }
  // The same commands in the same order give the same handles in every worker.
  ASSERT_TRUE(run_until([&] {
    for (int32_t item : items) {
      for (const WorkerPeer* peer : {static_cast<const WorkerPeer*>(this), static_cast<const WorkerPeer*>(&twin),
                                     static_cast<const WorkerPeer*>(&other)}) {
        if (peer->count_of(item, Kind::NumericChange) < 60) return false;
      }
    }
    return true;
  }));
  for (size_t i = 0; i < tags.size(); ++i) {
    size_t equal = 0;
    const size_t common = compare(values_of(*this, items[i]), values_of(twin, items[i]), &equal);
    ASSERT_GT(common, 10u) << tags[i];
    EXPECT_EQ(equal, common) << tags[i] << ": same seed, different values";
    const size_t common_other = compare(values_of(twin, items[i]), values_of(other, items[i]), &equal);
    ASSERT_GT(common_other, 10u) << tags[i];
    EXPECT_LT(equal, common_other) << tags[i] << ": another seed, the same values";
  }
  twin.reap();
  other.reap();
}

TEST_F(WorkerBackendsTest, ReplayDeliversRowsInOrderWithRecordedTimestamps) {
  // 20 rows, 100 ms apart in the recording; at speed 20 they arrive over ~100 ms.
  std::ofstream csv(runtime_dir_ + "/line.csv");
  csv << "timestamp,tag,value,quality\n";
  const int64_t t0 = 1'800'000'000'000'000'000;
  for (int i = 0; i < 20; ++i) {
    csv << t0 + i * 100'000'000LL << ",Line_001.Counter," << i << ",0xC0\n";
    if (i % 5 == 0) csv << t0 + i * 100'000'000LL << ",Line_001.Batch,\"B-" << i << "\",192\n";
  }
  csv.close();
  engine::WorkerLaunch l = launch("replay", {{"file", "line.csv"}, {"speed", "20"}});
  l.replay_dir = runtime_dir_;
  ASSERT_TRUE(start(std::move(l))) << fault_->to_string();
  const int32_t server = register_client();
  const int32_t counter = add_item(server, "line_001.counter");  // names match in any case
  const int32_t batch = add_item(server, "Line_001.Batch");
  // One AdviseItems: the replay clock starts at the first advise, and both items
  // must be listening when the first row is due.
  const CommandAnswer advised = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    const auto items = fbb.CreateVector(std::vector<int32_t>{counter, batch});
    return std::pair{proto::CommandBody::AdviseItems, proto::CreateAdviseItems(fbb, server, items).Union()};
  });
  ASSERT_EQ(advised.error, CommandError::None);
  ASSERT_TRUE(run_until(
      [&] { return count_of(counter, Kind::NumericChange) == 20 && count_of(batch, Kind::DataChange) == 4; }));
  const auto counts = events_of(counter, Kind::NumericChange);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(counts[i].number, i);
    EXPECT_EQ(counts[i].data_type, proto::MxDataType::Integer);
    EXPECT_EQ(counts[i].source_time_ns, t0 + i * 100'000'000LL);
  }
  EXPECT_EQ(events_of(batch, Kind::DataChange)[3].text, "B-15");
  // Paced, not dumped: 1.9 s of recording at 20x cannot arrive in less than 95 ms
  // (less the first row's own delay).
  EXPECT_GE(counts.back().received_ns - counts.front().received_ns, 80'000'000);
  // Production order across items is kept: each batch string follows its counter row.
  size_t seen_counts = 0;
  for (const SeenEvent& e : events_) {
    if (e.item_handle == counter) ++seen_counts;
    if (e.item_handle == batch) {
      EXPECT_EQ((seen_counts - 1) % 5, 0u) << e.text;
    }
  }
  const CommandAnswer unknown = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AddItem,
                     proto::CreateAddItem(fbb, server, fbb.CreateString("Tank_001.Level")).Union()};
  });
  EXPECT_EQ(unknown.error, CommandError::UnknownTag);
  EXPECT_EQ(write_double(server, counter, 1).error, CommandError::ReadOnly);
}

TEST_F(WorkerBackendsTest, ReplayRefusesPathsOutsideItsDirectory) {
  engine::WorkerLaunch l = launch("replay", {{"file", "../etc/passwd"}});
  l.replay_dir = runtime_dir_;
  EXPECT_FALSE(start(std::move(l)));
  ASSERT_TRUE(fault_.has_value());
  EXPECT_NE(fault_->message().find("inside the replay directory"), std::string::npos) << fault_->to_string();
}

TEST_F(WorkerBackendsTest, ReplayReportsTheLineOfABadRow) {
  std::ofstream(runtime_dir_ + "/bad.csv") << "1,Tank.Level,1.5,0xC0\n2,Tank.Level,oops,0xC0\n";
  engine::WorkerLaunch l = launch("replay", {{"file", "bad.csv"}});
  l.replay_dir = runtime_dir_;
  EXPECT_FALSE(start(std::move(l)));
  ASSERT_TRUE(fault_.has_value());
  EXPECT_NE(fault_->message().find("line 2"), std::string::npos) << fault_->to_string();
}

TEST_F(WorkerBackendsTest, BackpressureStopsTheWorkerAndCoalescingIsReported) {
  ASSERT_TRUE(start(launch("sim", {{"rate_ms", "1"}, {"tags", "Line:20000"}})));
  const int32_t server = register_client();
  std::vector<std::string> tags;
  for (int i = 0; i < 20000; ++i)
    tags.push_back("Line_" + std::string(i < 10 ? "00" : i < 100 ? "0" : "") + std::to_string(i) + ".Counter");
  const CommandAnswer added = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AddItems,
                     proto::CreateAddItems(fbb, server, fbb.CreateVectorOfStrings(tags)).Union()};
  });
  ASSERT_EQ(added.handles.size(), tags.size());
  invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AdviseItems,
                     proto::CreateAdviseItems(fbb, server, fbb.CreateVector(added.handles)).Union()};
  });
  // Stop reading until the kernel holds a backlog the worker cannot get rid of, then
  // read again; repeat until the worker has had to block and says what it merged.
  uv_os_fd_t fd = -1;
  ASSERT_EQ(uv_fileno(reinterpret_cast<const uv_handle_t*>(link_->endpoint()->stream()), &fd), 0);
  for (int round = 0; round < 50 && coalesced_ == 0; ++round) {
    link_->pause_events();
    ASSERT_TRUE(run_until([&] {
      int unread = 0;
      ::ioctl(fd, FIONREAD, &unread);
      return unread >= (128 << 10);
    }));
    link_->resume_events();
    run_until([&] { return coalesced_ > 0; }, 200);
  }
  EXPECT_GT(coalesced_, 0u);
  // Coalescing drops intermediate values, never reorders or repeats: per item, the
  // counter's timestamps still strictly increase.
  std::map<int32_t, int64_t> last_time;
  for (const SeenEvent& e : events_) {
    if (e.kind != Kind::NumericChange) continue;
    auto [at, fresh] = last_time.try_emplace(e.item_handle, e.source_time_ns);
    if (!fresh) {
      ASSERT_GT(e.source_time_ns, at->second) << "item " << e.item_handle;
      at->second = e.source_time_ns;
    }
  }
}

class PluginTest : public WorkerFixture {
 protected:
  engine::WorkerLaunch plugin_launch(std::vector<std::pair<std::string, std::string>> options = {}) {
    engine::WorkerLaunch l = launch("example_clock", std::move(options));
    l.plugin_path = MXGW_EXAMPLE_PLUGIN_PATH;
    return l;
  }
};

TEST_F(PluginTest, ExamplePluginServesReadsAndWrites) {
  ASSERT_TRUE(start(plugin_launch({{"period_ms", "10"}}))) << fault_->to_string();
  const int32_t server = register_client();
  const int32_t seconds = add_item(server, "Clock.Seconds");
  const int32_t text = add_item(server, "Clock.Text");
  const int32_t memory = add_item(server, "Memory.Gain");
  const int32_t synced = add_item(server, "Clock.Synced");
  for (int32_t item : {seconds, text, memory, synced}) advise(server, item);
  ASSERT_TRUE(run_until([&] {
    return count_of(seconds, Kind::NumericChange) >= 3 && count_of(text, Kind::DataChange) >= 3 &&
           count_of(synced, Kind::DataChange) >= 3;
  }));
  // A change whose status is not a success is delivered, with its status.
  EXPECT_FALSE(events_of(synced, Kind::DataChange)[0].success);
  EXPECT_TRUE(events_of(text, Kind::DataChange)[0].success);
  EXPECT_EQ(events_of(seconds, Kind::NumericChange)[0].data_type, proto::MxDataType::Integer);
  EXPECT_EQ(events_of(text, Kind::DataChange)[0].text.size(), 8u);  // HH:MM:SS

  const CommandAnswer written = write_double(server, memory, 0.75, 1'900'000'000'000'000'000);
  ASSERT_EQ(written.error, CommandError::None) << written.message;
  ASSERT_TRUE(run_until([&] {
    const auto changes = events_of(memory, Kind::NumericChange);
    return count_of(memory, Kind::WriteComplete) == 1 && !changes.empty() && changes.back().number == 0.75;
  }));
  EXPECT_EQ(events_of(memory, Kind::WriteComplete)[0].write_id, written.write_id);
  EXPECT_EQ(write_double(server, seconds, 1).error, CommandError::ReadOnly);

  const CommandAnswer unknown = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AddItem,
                     proto::CreateAddItem(fbb, server, fbb.CreateString("Clock.Minutes")).Union()};
  });
  EXPECT_EQ(unknown.error, CommandError::UnknownTag);
  EXPECT_NE(unknown.message.find("Clock.Minutes"), std::string::npos) << unknown.message;
}

TEST_F(PluginTest, PluginRejectsUnknownOptionsByName) {
  EXPECT_FALSE(start(plugin_launch({{"tempo", "fast"}})));
  ASSERT_TRUE(fault_.has_value());
  EXPECT_NE(fault_->message().find("tempo"), std::string::npos) << fault_->to_string();
}

TEST_F(PluginTest, MissingPluginIsAClearError) {
  engine::WorkerLaunch l = plugin_launch();
  l.plugin_path = runtime_dir_;  // a directory, not a shared library
  EXPECT_FALSE(start(std::move(l)));
  ASSERT_TRUE(fault_.has_value());
  EXPECT_NE(fault_->message().find("status 64"), std::string::npos) << fault_->to_string();
  ASSERT_TRUE(run_until([&] { return exited_; }));
  EXPECT_EQ(exit_status_, 64);  // refused on the command line, before connecting
}

}  // namespace
}  // namespace mxgw::testing
