// Every MXAccess command against a real mxgw-worker hosting `sim`: each success,
// and each precise error the command model promises (worker/src/mx_server.h).

#include "tests/worker/worker_fixture.h"

namespace mxgw::testing {
namespace {

using proto::CommandBody;
using proto::CommandError;
using Kind = transport::EventRef::Kind;

class WorkerCommandsTest : public WorkerFixture {
 protected:
  void SetUp() override {
    WorkerFixture::SetUp();
    ASSERT_TRUE(start(launch("sim", {{"rate_ms", "5"}, {"seed", "7"}}))) << (fault_ ? fault_->to_string() : "");
  }

  CommandAnswer item_command(CommandBody type, int32_t server, int32_t item) {
    return invoke([&](flatbuffers::FlatBufferBuilder& fbb) -> std::pair<CommandBody, flatbuffers::Offset<void>> {
      switch (type) {
        case CommandBody::RemoveItem:
          return {type, proto::CreateRemoveItem(fbb, server, item).Union()};
        case CommandBody::UnAdvise:
          return {type, proto::CreateUnAdvise(fbb, server, item).Union()};
        case CommandBody::Suspend:
          return {type, proto::CreateSuspend(fbb, server, item).Union()};
        case CommandBody::Activate:
          return {type, proto::CreateActivate(fbb, server, item).Union()};
        case CommandBody::AdviseSupervisory:
          return {type, proto::CreateAdviseSupervisory(fbb, server, item).Union()};
        default:
          return {CommandBody::Advise, proto::CreateAdvise(fbb, server, item).Union()};
      }
    });
  }

  CommandAnswer write_string(int32_t server, int32_t item, const std::string& text) {
    return invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
      const auto v = proto::CreateValue(fbb, proto::MxDataType::String, false, proto::ValueData::StringValue,
                                        proto::CreateStringValue(fbb, fbb.CreateString(text)).Union());
      return std::pair{CommandBody::Write, proto::CreateWrite(fbb, server, item, v, 0).Union()};
    });
  }

  CommandAnswer authenticate(int32_t server, const std::string& user, const std::string& password) {
    return invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
      return std::pair{
          CommandBody::AuthenticateUser,
          proto::CreateAuthenticateUser(fbb, server, fbb.CreateString(user), fbb.CreateString(password)).Union()};
    });
  }

  CommandAnswer write_secured(int32_t server, int32_t item, int32_t user, int32_t verifier, double value) {
    return invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
      const auto v = proto::CreateValue(fbb, proto::MxDataType::Double, false, proto::ValueData::DoubleValue,
                                        fbb.CreateStruct(proto::DoubleValue(value)).Union());
      return std::pair{CommandBody::WriteSecured,
                       proto::CreateWriteSecured(fbb, server, item, user, verifier, v).Union()};
    });
  }

  size_t changes_of(int32_t item) const {
    return count_of(item, Kind::NumericChange) + count_of(item, Kind::DataChange);
  }
};

TEST_F(WorkerCommandsTest, CommandBeforeRegisterIsRefused) {
  const CommandAnswer a = invoke([](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{CommandBody::AddItem, proto::CreateAddItem(fbb, 1, fbb.CreateString("Tank_001.Level")).Union()};
  });
  EXPECT_EQ(a.error, CommandError::NotRegistered);
  EXPECT_EQ(a.status.success(), 0);
  EXPECT_NE(a.message.find("Register"), std::string::npos) << a.message;
}

TEST_F(WorkerCommandsTest, RegisterAdviseDeliversTimestampedChanges) {
  const int32_t server = register_client();
  EXPECT_GT(server, 0);
  const int32_t item = add_item(server, "Tank_042.Level");
  EXPECT_EQ(advise(server, item).error, CommandError::None);
  ASSERT_TRUE(run_until([&] { return count_of(item, Kind::NumericChange) >= 10; }));
  const auto changes = events_of(item, Kind::NumericChange);
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].server_handle, server);
    EXPECT_EQ(changes[i].data_type, proto::MxDataType::Double);
    EXPECT_EQ(changes[i].quality, 0xC0u);
    // rate_ms=5: every update sits exactly on the 5 ms grid, one slot after another.
    EXPECT_EQ(changes[i].source_time_ns % 5'000'000, 0);
    if (i > 0) {
      EXPECT_EQ(changes[i].source_time_ns - changes[i - 1].source_time_ns, 5'000'000);
    }
    EXPECT_GE(changes[i].number, 0.0);
    EXPECT_LE(changes[i].number, 100.0);
  }
}

TEST_F(WorkerCommandsTest, HandlesAreCheckedPrecisely) {
  const int32_t server = register_client();
  const int32_t item = add_item(server, "Pump_001.Speed");
  EXPECT_EQ(item_command(CommandBody::Advise, server + 100, item).error, CommandError::UnknownServerHandle);
  EXPECT_EQ(item_command(CommandBody::Advise, server, item + 100).error, CommandError::UnknownItemHandle);
  // An item belongs to the registration that added it.
  const int32_t other = register_client("other");
  EXPECT_EQ(item_command(CommandBody::Advise, other, item).error, CommandError::UnknownItemHandle);
  EXPECT_EQ(item_command(CommandBody::RemoveItem, server, item).error, CommandError::None);
  EXPECT_EQ(item_command(CommandBody::Advise, server, item).error, CommandError::UnknownItemHandle);
  const CommandAnswer unregister = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{CommandBody::Unregister, proto::CreateUnregister(fbb, other).Union()};
  });
  EXPECT_EQ(unregister.error, CommandError::None);
  EXPECT_EQ(item_command(CommandBody::Advise, other, 1).error, CommandError::UnknownServerHandle);
}

TEST_F(WorkerCommandsTest, UnknownTagsAreRefusedWithTheReason) {
  const int32_t server = register_client();
  for (const char* tag : {"Boiler_001.Level", "Tank_001.Colour", "Tank001.Level", ""}) {
    const CommandAnswer a = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
      return std::pair{CommandBody::AddItem, proto::CreateAddItem(fbb, server, fbb.CreateString(tag)).Union()};
    });
    EXPECT_NE(a.error, CommandError::None) << tag;
    EXPECT_FALSE(a.message.empty()) << tag;
  }
}

TEST_F(WorkerCommandsTest, RelativeItemDefinitionsResolveAgainstTheirContext) {
  const int32_t server = register_client();
  const CommandAnswer a = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{
        CommandBody::AddItem2,
        proto::CreateAddItem2(fbb, server, fbb.CreateString("me.Level"), fbb.CreateString("Tank_042")).Union()};
  });
  EXPECT_EQ(a.error, CommandError::None) << a.message;
}

TEST_F(WorkerCommandsTest, WritesFollowMxAccessRules) {
  const int32_t server = register_client();
  const int32_t setpoint = add_item(server, "Tank_001.Level.Setpoint");
  const int32_t level = add_item(server, "Tank_001.Level");
  EXPECT_EQ(write_double(server, setpoint, 42).error, CommandError::NotAdvised);
  advise(server, setpoint);
  advise(server, level);
  EXPECT_EQ(write_double(server, level, 42).error, CommandError::ReadOnly);
  const CommandAnswer mismatch = write_string(server, setpoint, "forty-two");
  EXPECT_EQ(mismatch.error, CommandError::TypeMismatch);
  EXPECT_NE(mismatch.message.find("String"), std::string::npos) << mismatch.message;

  const int64_t stamp = 1'700'000'000'123'456'789;
  const CommandAnswer ok = write_double(server, setpoint, 42.5, stamp);
  ASSERT_EQ(ok.error, CommandError::None) << ok.message;
  EXPECT_GT(ok.write_id, 0u);
  ASSERT_TRUE(run_until([&] {
    const auto changes = events_of(setpoint, Kind::NumericChange);
    return count_of(setpoint, Kind::WriteComplete) == 1 && !changes.empty() && changes.back().number == 42.5;
  }));
  const auto completes = events_of(setpoint, Kind::WriteComplete);
  EXPECT_EQ(completes[0].write_id, ok.write_id);
  EXPECT_TRUE(completes[0].success);
  EXPECT_EQ(events_of(setpoint, Kind::NumericChange).back().source_time_ns, stamp);

  const CommandAnswer second = write_double(server, setpoint, 7);
  EXPECT_EQ(second.write_id, ok.write_id + 1);
}

TEST_F(WorkerCommandsTest, SecuredWritesNeedAuthenticatedUsers) {
  const int32_t server = register_client();
  const int32_t setpoint = add_item(server, "Pump_003.Speed.Setpoint");
  advise(server, setpoint);
  EXPECT_EQ(write_secured(server, setpoint, 1, 0, 10).error, CommandError::UnknownUser);
  EXPECT_EQ(authenticate(server, "operator", "wrong").error, CommandError::AuthenticationFailed);
  const CommandAnswer user = authenticate(server, "operator", "operator");
  ASSERT_EQ(user.error, CommandError::None) << user.message;
  EXPECT_EQ(write_secured(server, setpoint, user.handle, 99, 10).error, CommandError::UnknownUser);
  EXPECT_EQ(write_secured(server, setpoint, user.handle, 0, 10).error, CommandError::None);

  const CommandAnswer by_guid = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{
        CommandBody::ArchestrAUserToId,
        proto::CreateArchestrAUserToId(fbb, server, fbb.CreateString("6f1c0e2a-0001-4d6e-9a41-6d78677730a1")).Union()};
  });
  EXPECT_EQ(by_guid.error, CommandError::None);
  EXPECT_EQ(by_guid.handle, user.handle);
}

TEST_F(WorkerCommandsTest, SuspendAndUnAdviseStopUpdatesActivateResumes) {
  const int32_t server = register_client();
  const int32_t watched = add_item(server, "Line_001.Rate");
  const int32_t witness = add_item(server, "Line_002.Rate");
  advise(server, watched);
  advise(server, witness);
  ASSERT_TRUE(run_until([&] { return changes_of(watched) >= 3; }));

  const CommandAnswer suspended = item_command(CommandBody::Suspend, server, watched);
  EXPECT_EQ(suspended.error, CommandError::None);
  EXPECT_EQ(suspended.body, proto::ReplyBody::StatusReply);
  const size_t at_suspend = changes_of(watched);
  const size_t witness_at_suspend = changes_of(witness);
  // The witness keeps its 5 ms rhythm; the suspended item must stay silent meanwhile.
  ASSERT_TRUE(run_until([&] { return changes_of(witness) >= witness_at_suspend + 10; }));
  EXPECT_EQ(changes_of(watched), at_suspend);

  EXPECT_EQ(item_command(CommandBody::Activate, server, watched).error, CommandError::None);
  ASSERT_TRUE(run_until([&] { return changes_of(watched) >= at_suspend + 3; }));

  EXPECT_EQ(item_command(CommandBody::UnAdvise, server, watched).error, CommandError::None);
  EXPECT_EQ(item_command(CommandBody::UnAdvise, server, watched).error, CommandError::NotAdvised);
  const size_t at_unadvise = changes_of(watched);
  const size_t witness_at_unadvise = changes_of(witness);
  ASSERT_TRUE(run_until([&] { return changes_of(witness) >= witness_at_unadvise + 10; }));
  EXPECT_EQ(changes_of(watched), at_unadvise);
}

TEST_F(WorkerCommandsTest, BufferedItemsDeliverSamplesAtTheInterval) {
  const int32_t server = register_client();
  const CommandAnswer added = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{CommandBody::AddBufferedItem,
                     proto::CreateAddBufferedItem(fbb, server, fbb.CreateString("Valve_001.Position"), 0).Union()};
  });
  ASSERT_EQ(added.error, CommandError::None) << added.message;
  const CommandAnswer interval = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{CommandBody::SetBufferedUpdateInterval,
                     proto::CreateSetBufferedUpdateInterval(fbb, server, 50).Union()};
  });
  EXPECT_EQ(interval.error, CommandError::None);
  advise(server, added.handle);
  ASSERT_TRUE(run_until([&] { return count_of(added.handle, Kind::BufferedChange) >= 2; }));
  const auto buffered = events_of(added.handle, Kind::BufferedChange);
  EXPECT_EQ(buffered[1].data_type, proto::MxDataType::Float);
  // 50 ms of 5 ms updates: several samples per delivery, never one event per update.
  EXPECT_GE(buffered[1].samples, 5u);
  EXPECT_EQ(count_of(added.handle, Kind::NumericChange), 0u);

  const CommandAnswer bad_interval = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{CommandBody::SetBufferedUpdateInterval,
                     proto::CreateSetBufferedUpdateInterval(fbb, server, 0).Union()};
  });
  EXPECT_EQ(bad_interval.error, CommandError::InvalidArgument);
}

TEST_F(WorkerCommandsTest, BatchFormsAnswerPerEntry) {
  const int32_t server = register_client();
  const CommandAnswer added = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    const auto defs = fbb.CreateVectorOfStrings({"Tank_001.Level", "Nope_001.Level", "Pump_001.Speed"});
    return std::pair{CommandBody::AddItems, proto::CreateAddItems(fbb, server, defs).Union()};
  });
  ASSERT_EQ(added.error, CommandError::None);
  ASSERT_EQ(added.handles.size(), 3u);
  EXPECT_GT(added.handles[0], 0);
  EXPECT_EQ(added.handles[1], 0);
  EXPECT_EQ(added.errors[1], CommandError::UnknownTag);
  const CommandAnswer advised = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    const auto items = fbb.CreateVector(std::vector<int32_t>{added.handles[0], 999, added.handles[2]});
    return std::pair{CommandBody::AdviseItems, proto::CreateAdviseItems(fbb, server, items).Union()};
  });
  ASSERT_EQ(advised.errors.size(), 3u);
  EXPECT_EQ(advised.errors[0], CommandError::None);
  EXPECT_EQ(advised.errors[1], CommandError::UnknownItemHandle);
  EXPECT_EQ(advised.errors[2], CommandError::None);
  ASSERT_TRUE(run_until([&] { return changes_of(added.handles[0]) > 0 && changes_of(added.handles[2]) > 0; }));
}

TEST_F(WorkerCommandsTest, ShutdownCommandEndsTheProcessCleanly) {
  register_client();
  link_->shutdown(5'000);
  ASSERT_TRUE(run_until([&] { return exited_; }));
  EXPECT_EQ(exit_status_, 0);
  EXPECT_EQ(term_signal_, 0);
  EXPECT_FALSE(fault_.has_value()) << fault_->to_string();
}

}  // namespace
}  // namespace mxgw::testing
