// Seeds of the worker protocol and of event batches.

#include <memory>
#include <utility>

#include <mxgw/schema/events_generated.h>
#include <mxgw/schema/worker_generated.h>
#include <mxgw/transport/frame.h>
#include <mxgw/transport/payload_builder.h>

#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_messages.h"

namespace mxgw::fuzz {
namespace {

constexpr int64_t kTime = 1'764'349'265'123'456'789;  // 2025-11-28T17:01:05.123456789Z

Seed worker_seed(std::string name, proto::WorkerMessageUnion message) {
  proto::WorkerFrameT frame;
  frame.message = std::move(message);
  transport::PayloadBuilder builder;
  auto root = proto::WorkerFrame::Pack(builder.fbb(), &frame);
  return {std::move(name), builder.finish(root, proto::WorkerFrameIdentifier())};
}

template <typename Message>
proto::WorkerMessageUnion as_message(Message message) {
  proto::WorkerMessageUnion out;
  out.Set(std::move(message));
  return out;
}

proto::WorkerHelloT hello() {
  proto::WorkerHelloT h;
  h.protocol_version = transport::kProtocolVersion;
  h.session_id = std::string(kSessionId);
  for (size_t i = 0; i < 32; ++i) h.nonce.push_back(static_cast<uint8_t>(kNonceSeed ^ i));
  h.backend = std::string(kBackend);
  h.pid = 4242;
  return h;
}

std::vector<Seed> handshake_seeds() {
  std::vector<Seed> seeds;
  seeds.push_back(worker_seed("hello", as_message(hello())));
  proto::WorkerHelloT bad_nonce = hello();
  bad_nonce.nonce[31] ^= 1;
  seeds.push_back(worker_seed("hello_bad_nonce", as_message(std::move(bad_nonce))));
  proto::WorkerHelloT old = hello();
  old.protocol_version = 0;
  seeds.push_back(worker_seed("hello_old_version", as_message(std::move(old))));
  proto::WorkerHelloT replay = hello();
  replay.backend = "replay";
  seeds.push_back(worker_seed("hello_other_backend", as_message(std::move(replay))));

  proto::WorkerWelcomeT welcome;
  for (const auto& [key, value] : {std::pair{"seed", "42"}, {"rate_ms", "0.5"}, {"tags", "Tank:200,Pump"}}) {
    auto pair = std::make_unique<proto::KeyValueT>();
    pair->key = key;
    pair->value = value;
    welcome.backend_options.push_back(std::move(pair));
  }
  welcome.max_frame_bytes = 16u << 20;
  seeds.push_back(worker_seed("welcome", as_message(std::move(welcome))));
  proto::WorkerRefusedT refused;
  refused.code = proto::HandshakeError::BadNonce;
  refused.message = "the worker did not prove the session nonce";
  seeds.push_back(worker_seed("refused", as_message(std::move(refused))));
  proto::WorkerReadyT ready;
  ready.ok = true;
  seeds.push_back(worker_seed("ready", as_message(ready)));
  ready.ok = false;
  ready.code = proto::HandshakeError::BackendOptionsRejected;
  ready.message = "rate_ms: below 1 ms";
  seeds.push_back(worker_seed("ready_refused", as_message(std::move(ready))));
  return seeds;
}

proto::CommandT command(uint64_t correlation_id) {
  proto::CommandT c;
  c.correlation_id = correlation_id;
  return c;
}

template <typename Body>
Seed command_seed(std::string name, Body body) {
  proto::CommandT c = command(17);
  c.body.Set(std::move(body));
  return worker_seed("command_" + std::move(name), as_message(std::move(c)));
}

// A command body of registration 1, item 2 where it names one, with `fill` setting
// the rest.
template <typename Body>
Body on_item(void (*fill)(Body&) = nullptr) {
  Body body;
  body.server_handle = 1;
  if constexpr (requires { body.item_handle; }) body.item_handle = 2;
  if (fill) fill(body);
  return body;
}

std::vector<Seed> command_seeds() {
  using namespace proto;
  std::vector<Seed> seeds;
  RegisterT reg;
  reg.client_name = "historian";
  seeds.push_back(command_seed("register", reg));
  seeds.push_back(command_seed("unregister", on_item<UnregisterT>()));
  seeds.push_back(command_seed("add_item", on_item<AddItemT>([](auto& b) { b.item_def = "Tank_042.Level"; })));
  seeds.push_back(command_seed("add_item2", on_item<AddItem2T>([](auto& b) {
                                 b.item_def = "me.Level";
                                 b.item_context = "Tank_042";
                               })));
  seeds.push_back(
      command_seed("add_buffered_item", on_item<AddBufferedItemT>([](auto& b) { b.item_def = "Pump_007.Speed"; })));
  seeds.push_back(command_seed("remove_item", on_item<RemoveItemT>()));
  seeds.push_back(command_seed("advise", on_item<AdviseT>()));
  seeds.push_back(command_seed("advise_supervisory", on_item<AdviseSupervisoryT>()));
  seeds.push_back(command_seed("unadvise", on_item<UnAdviseT>()));
  seeds.push_back(command_seed("suspend", on_item<SuspendT>()));
  seeds.push_back(command_seed("activate", on_item<ActivateT>()));
  // Writes of a double, a string, an integer and a string array.
  const std::vector<ValueT> values = every_value();
  WriteT write = on_item<WriteT>();
  write.value = std::make_unique<ValueT>(values[3]);
  seeds.push_back(command_seed("write", std::move(write)));
  Write2T write2 = on_item<Write2T>([](auto& b) { b.timestamp_ns = kTime; });
  write2.value = std::make_unique<ValueT>(values[6]);
  seeds.push_back(command_seed("write2", std::move(write2)));
  WriteSecuredT secured = on_item<WriteSecuredT>([](auto& b) {
    b.current_user_id = 5;
    b.verifier_user_id = 6;
  });
  secured.value = std::make_unique<ValueT>(values[1]);
  seeds.push_back(command_seed("write_secured", std::move(secured)));
  WriteSecured2T secured2 = on_item<WriteSecured2T>([](auto& b) { b.timestamp_ns = kTime; });
  secured2.value = std::make_unique<ValueT>(values[13]);
  seeds.push_back(command_seed("write_secured2", std::move(secured2)));
  seeds.push_back(command_seed("authenticate_user", on_item<AuthenticateUserT>([](auto& b) {
                                 b.user = "operator";
                                 b.password = "secret";
                               })));
  seeds.push_back(command_seed("user_to_id", on_item<ArchestrAUserToIdT>([](auto& b) {
                                 b.user_guid = "6f1c2a4e-0d3b-4c6e-9a1f-2b3c4d5e6f70";
                               })));
  seeds.push_back(command_seed("set_buffered_update_interval",
                               on_item<SetBufferedUpdateIntervalT>([](auto& b) { b.interval_ms = 250; })));
  seeds.push_back(command_seed("add_items", on_item<AddItemsT>([](auto& b) {
                                 b.item_defs = {"Tank_000.Level", "Pump_001.Speed", "Valve_002.Position"};
                               })));
  seeds.push_back(command_seed("advise_items", on_item<AdviseItemsT>([](auto& b) {
                                 b.item_handles = {1, 2, 3};
                                 b.supervisory = true;
                               })));
  seeds.push_back(command_seed("shutdown", ShutdownT{}));
  return seeds;
}

template <typename Body>
Seed reply_seed(std::string name, Body body) {
  proto::ReplyT reply;
  reply.correlation_id = 17;
  reply.status =
      std::make_unique<proto::MxStatus>(-1, proto::MxStatusCategory::Ok, proto::MxStatusSource::RespondingLmx, 0);
  reply.body.Set(std::move(body));
  return worker_seed("reply_" + std::move(name), as_message(std::move(reply)));
}

// A reply body with `fill` setting its fields.
template <typename Body>
Body filled(void (*fill)(Body&)) {
  Body body;
  fill(body);
  return body;
}

std::vector<Seed> reply_seeds() {
  using namespace proto;
  const MxStatus ok(-1, MxStatusCategory::Ok, MxStatusSource::RespondingLmx, 0);
  const MxStatus unknown_tag(0, MxStatusCategory::ConfigurationError, MxStatusSource::RespondingLmx, 2);
  std::vector<Seed> seeds;
  seeds.push_back(reply_seed("server_handle", filled<ServerHandleReplyT>([](auto& b) { b.server_handle = 1; })));
  seeds.push_back(reply_seed("item_handle", filled<ItemHandleReplyT>([](auto& b) { b.item_handle = 2; })));
  seeds.push_back(reply_seed("status", filled<StatusReplyT>([](auto& b) {
                               b.status = std::make_unique<MxStatus>(0, MxStatusCategory::Warning,
                                                                     MxStatusSource::RespondingNmx, 7);
                             })));
  seeds.push_back(reply_seed("user_id", filled<UserIdReplyT>([](auto& b) { b.user_id = 5; })));
  seeds.push_back(reply_seed("write_accepted", filled<WriteAcceptedT>([](auto& b) { b.write_id = 99; })));
  BatchReplyT batch;
  batch.handles = {1, 0, 3};
  batch.statuses = {ok, unknown_tag, ok};
  batch.errors = {CommandError::None, CommandError::UnknownTag, CommandError::None};
  seeds.push_back(reply_seed("batch", std::move(batch)));
  seeds.push_back(reply_seed("empty", EmptyReplyT{}));
  ReplyT failed;
  failed.correlation_id = 18;
  failed.error = CommandError::NotAdvised;
  failed.message = "item 2 is not advised";
  seeds.push_back(worker_seed("reply_error", as_message(std::move(failed))));
  return seeds;
}

Seed batch_seed(std::string name, const proto::EventBatchT& batch) {
  transport::PayloadBuilder builder;
  auto root = proto::EventBatch::Pack(builder.fbb(), &batch);
  return {"events_" + std::move(name), builder.finish(root, proto::EventBatchIdentifier())};
}

std::vector<proto::MxStatus> failure() {
  return {proto::MxStatus(0, proto::MxStatusCategory::CommunicationError, proto::MxStatusSource::RespondingNmx, 12)};
}

}  // namespace

std::vector<Seed> worker_seeds() {
  std::vector<Seed> seeds = handshake_seeds();
  for (auto* more : {&command_seeds, &reply_seeds}) {
    for (Seed& seed : more()) seeds.push_back(std::move(seed));
  }
  return seeds;
}

std::vector<Seed> event_seeds() {
  std::vector<Seed> seeds;
  proto::EventBatchT numeric;
  numeric.worker_time_ns = kTime;
  for (int i = 0; i < 8; ++i) {
    numeric.changes.emplace_back(1, i + 1, 0xC0, proto::MxDataType::Double, 0, kTime + i, 0.5 * i);
  }
  numeric.coalesced_changes = 3;
  seeds.push_back(batch_seed("numeric", numeric));

  // Every value as a DataChangeEvent, between numeric changes.
  proto::EventBatchT values = numeric;
  const std::vector<proto::ValueT> all = every_value();
  for (uint32_t i = 0; i < all.size(); ++i) {
    auto change = std::make_unique<proto::DataChangeEventT>();
    change->position = 2 * i + 1;
    change->server_handle = 1;
    change->item_handle = static_cast<int32_t>(100 + i);
    change->value = std::make_unique<proto::ValueT>(all[i]);
    change->quality = 0x1C0;
    change->source_time_ns = kTime;
    if (i % 4 == 0) change->status = failure();
    values.data_changes.push_back(std::move(change));
    if (values.changes.size() < all.size() + 1) {
      values.changes.emplace_back(1, 200 + static_cast<int32_t>(i), 0x40, proto::MxDataType::Integer, 0, kTime, i);
    }
  }
  seeds.push_back(batch_seed("every_value", values));

  proto::EventBatchT tables;
  tables.worker_time_ns = kTime;
  auto buffered = std::make_unique<proto::BufferedDataChangeEventT>();
  buffered->position = 0;
  buffered->data_type = proto::MxDataType::Double;
  for (int i = 0; i < 3; ++i) {
    auto sample = std::make_unique<proto::BufferedSampleT>();
    sample->value = std::make_unique<proto::ValueT>(all[3]);
    sample->quality = 0xC0;
    sample->source_time_ns = kTime + i;
    buffered->samples.push_back(std::move(sample));
  }
  tables.buffered_changes.push_back(std::move(buffered));
  auto write = std::make_unique<proto::WriteCompleteEventT>();
  write->position = 1;
  write->write_id = 99;
  write->status = failure();
  tables.write_completes.push_back(std::move(write));
  auto operation = std::make_unique<proto::OperationCompleteEventT>();
  operation->position = 2;
  operation->status = failure();
  tables.operation_completes.push_back(std::move(operation));
  auto state = std::make_unique<proto::SessionStateEventT>();
  state->position = 3;
  state->state = proto::SessionState::Closed;
  state->reason = "client-close";
  tables.session_states.push_back(std::move(state));
  auto gap = std::make_unique<proto::GapEventT>();
  gap->first_seq = 10;
  gap->last_seq = 20;
  gap->reason = proto::GapReason::Conflated;
  tables.gaps.push_back(std::move(gap));
  seeds.push_back(batch_seed("table_events", tables));

  // Table events between numeric changes, then the gateway's own empty batch.
  proto::EventBatchT mixed = tables;
  for (auto& event : mixed.buffered_changes) event->position += 2;
  for (auto& event : mixed.write_completes) event->position += 3;
  for (auto& event : mixed.operation_completes) event->position += 5;
  for (auto& event : mixed.session_states) event->position += 7;
  mixed.changes = numeric.changes;
  seeds.push_back(batch_seed("mixed", mixed));
  seeds.push_back(batch_seed("empty", proto::EventBatchT{}));
  return seeds;
}

}  // namespace mxgw::fuzz
