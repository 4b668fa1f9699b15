// The gateway-side test harness for real worker processes.

#include "tests/worker/worker_fixture.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/payload_builder.h>

namespace mxgw::testing {

void WorkerFixture::SetUp() {
  uv_loop_init(&loop_);
  char pattern[] = "/tmp/mxgw-worker-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  runtime_dir_ = pattern;
  ::chmod(runtime_dir_.c_str(), 0700);
}

void WorkerFixture::TearDown() {
  reap();
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ(uv_loop_close(&loop_), 0) << "handles left open";
  std::filesystem::remove_all(runtime_dir_);
}

std::string WorkerFixture::worker_path() const { return MXGW_WORKER_PATH; }

engine::WorkerLaunch WorkerFixture::launch(const std::string& backend,
                                           std::vector<std::pair<std::string, std::string>> options) {
  engine::WorkerLaunch l;
  l.worker_path = worker_path();
  l.session_id = "session-0123456789abcdef0123456789abcdef";
  l.socket_path = runtime_dir_ + "/" + l.session_id + ".sock";
  l.backend = backend;
  l.backend_options = std::move(options);
  l.startup_timeout_ms = 10'000;
  return l;
}

void WorkerPeer::start_async(engine::WorkerLaunch l) {
  link_ = std::make_unique<engine::WorkerLink>(peer_loop_, std::move(l), this);
  link_->start();
}

bool WorkerPeer::start(engine::WorkerLaunch l) {
  start_async(std::move(l));
  return run_until([&] { return ready_ || fault_.has_value(); }) && ready_;
}

void WorkerPeer::reap() {
  if (link_ && !exited_) {
    link_->kill();
    EXPECT_TRUE(run_until([&] { return exited_; })) << "the worker was not reaped";
  }
  link_.reset();
}

bool WorkerPeer::run_until(const std::function<bool()>& done, uint64_t timeout_ms) {
  // The deadline ends the wait; the tick wakes the loop every millisecond so that
  // conditions on state outside the loop (a socket's queue, a process) are seen.
  uv_timer_t deadline;
  uv_timer_t tick;
  uv_timer_init(peer_loop_, &deadline);
  uv_timer_init(peer_loop_, &tick);
  bool expired = false;
  deadline.data = &expired;
  uv_timer_start(
      &deadline, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, timeout_ms, 0);
  uv_timer_start(
      &tick, [](uv_timer_t*) {}, 1, 1);
  while (!done() && !expired) uv_run(peer_loop_, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(peer_loop_, UV_RUN_NOWAIT);
  return done();
}

CommandAnswer WorkerPeer::invoke(const CommandFactory& make) {
  transport::PayloadBuilder builder;
  auto& fbb = builder.fbb();
  const uint64_t id = next_correlation_++;
  const auto [type, body] = make(fbb);
  const auto command = proto::CreateCommand(fbb, id, type, body);
  link_->send_command(builder.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::Command, command.Union()),
                                     proto::WorkerFrameIdentifier()));
  const bool answered = run_until([&] { return answers_.contains(id) || fault_.has_value(); });
  EXPECT_TRUE(answered && answers_.contains(id)) << "no reply to command " << id;
  return answers_[id];
}

void WorkerPeer::on_reply(engine::WorkerLink&, const proto::Reply& reply, const transport::SharedBytes&) {
  CommandAnswer& a = answers_[reply.correlation_id()];
  a.error = reply.error();
  a.message = reply.message() ? reply.message()->str() : "";
  if (reply.status()) a.status = *reply.status();
  a.body = reply.body_type();
  switch (reply.body_type()) {
    case proto::ReplyBody::ServerHandleReply:
      a.handle = reply.body_as_ServerHandleReply()->server_handle();
      break;
    case proto::ReplyBody::ItemHandleReply:
      a.handle = reply.body_as_ItemHandleReply()->item_handle();
      break;
    case proto::ReplyBody::UserIdReply:
      a.handle = reply.body_as_UserIdReply()->user_id();
      break;
    case proto::ReplyBody::WriteAccepted:
      a.write_id = reply.body_as_WriteAccepted()->write_id();
      break;
    case proto::ReplyBody::BatchReply: {
      const auto* batch = reply.body_as_BatchReply();
      if (batch->handles()) a.handles.assign(batch->handles()->begin(), batch->handles()->end());
      if (batch->errors()) {
        for (auto e : *batch->errors()) a.errors.push_back(static_cast<proto::CommandError>(e));
      }
      break;
    }
    default:
      break;
  }
}

void WorkerPeer::on_events(engine::WorkerLink&, transport::Frame&& frame) {
  const proto::EventBatch* batch = transport::event_batch(frame.payload);
  coalesced_ += batch->coalesced_changes();
  const int64_t received_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  transport::EventCursor cursor(*batch);
  transport::EventRef ref;
  using Kind = transport::EventRef::Kind;
  while (cursor.next(&ref)) {
    SeenEvent e;
    e.kind = ref.kind;
    auto status_ok = [](const auto* statuses) {
      return !statuses || statuses->size() == 0 || statuses->Get(0)->success() != 0;
    };
    switch (ref.kind) {
      case Kind::NumericChange: {
        const auto* c = ref.numeric();
        e = {ref.kind, c->server_handle(), c->item_handle(),   c->data_type(), c->value(),
             {},       c->quality(),       c->source_time_ns()};
        break;
      }
      case Kind::DataChange: {
        const auto* c = ref.data_change();
        e.server_handle = c->server_handle();
        e.item_handle = c->item_handle();
        e.quality = c->quality();
        e.source_time_ns = c->source_time_ns();
        e.success = status_ok(c->status());
        if (c->value()) {
          e.data_type = c->value()->data_type();
          if (const auto* s = c->value()->payload_as_StringValue(); s && s->v()) e.text = s->v()->str();
        }
        break;
      }
      case Kind::BufferedChange: {
        const auto* c = ref.buffered();
        e.server_handle = c->server_handle();
        e.item_handle = c->item_handle();
        e.data_type = c->data_type();
        e.samples = c->samples() ? c->samples()->size() : 0;
        break;
      }
      case Kind::WriteComplete: {
        const auto* c = ref.write_complete();
        e.server_handle = c->server_handle();
        e.item_handle = c->item_handle();
        e.write_id = c->write_id();
        e.success = status_ok(c->status());
        break;
      }
      case Kind::OperationComplete:
      case Kind::SessionState:
        break;
    }
    e.received_ns = received_ns;
    events_.push_back(std::move(e));
  }
}

void WorkerPeer::on_exit(engine::WorkerLink&, int64_t exit_status, int term_signal) {
  exited_ = true;
  exit_status_ = exit_status;
  term_signal_ = term_signal;
}

int32_t WorkerPeer::register_client(const std::string& name) {
  const CommandAnswer a = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::Register, proto::CreateRegister(fbb, fbb.CreateString(name)).Union()};
  });
  EXPECT_EQ(a.error, proto::CommandError::None) << a.message;
  return a.handle;
}

int32_t WorkerPeer::add_item(int32_t server, const std::string& tag) {
  const CommandAnswer a = invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::AddItem, proto::CreateAddItem(fbb, server, fbb.CreateString(tag)).Union()};
  });
  EXPECT_EQ(a.error, proto::CommandError::None) << tag << ": " << a.message;
  return a.handle;
}

CommandAnswer WorkerPeer::advise(int32_t server, int32_t item) {
  return invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{proto::CommandBody::Advise, proto::CreateAdvise(fbb, server, item).Union()};
  });
}

CommandAnswer WorkerPeer::write_double(int32_t server, int32_t item, double value, int64_t timestamp_ns) {
  return invoke([&](flatbuffers::FlatBufferBuilder& fbb) {
    const auto v = proto::CreateValue(fbb, proto::MxDataType::Double, false, proto::ValueData::DoubleValue,
                                      fbb.CreateStruct(proto::DoubleValue(value)).Union());
    return std::pair{proto::CommandBody::Write2, proto::CreateWrite2(fbb, server, item, v, timestamp_ns, 0).Union()};
  });
}

std::vector<SeenEvent> WorkerPeer::events_of(int32_t item, transport::EventRef::Kind kind) const {
  std::vector<SeenEvent> out;
  for (const SeenEvent& e : events_) {
    if (e.item_handle == item && e.kind == kind) out.push_back(e);
  }
  return out;
}

}  // namespace mxgw::testing
