// One function per reply shape; the switch maps each MXAccess command onto MxServer.

#include "worker/src/command_dispatch.h"

#include "worker/src/mx_status.h"

#include <string>
#include <vector>

namespace mxgw::worker {
namespace {

using proto::CommandBody;
using proto::CommandError;
using proto::ReplyBody;

std::string_view text(const flatbuffers::String* s) { return s ? s->string_view() : std::string_view(); }

// What one command produced: its outcome and, on success, a reply body.
struct Answer {
  Outcome outcome;
  ReplyBody kind = ReplyBody::NONE;
  flatbuffers::Offset<void> body;

  static Answer failed(Outcome outcome) { return {std::move(outcome), ReplyBody::NONE, {}}; }
};

class Dispatcher {
 public:
  Dispatcher(MxServer& server, flatbuffers::FlatBufferBuilder& fbb) : server_(server), fbb_(fbb) {}

  Answer run(const proto::Command& command) {
    switch (command.body_type()) {
      case CommandBody::Register: {
        int32_t handle = 0;
        Outcome o = server_.register_client(text(command.body_as_Register()->client_name()), &handle);
        return with(std::move(o), ReplyBody::ServerHandleReply,
                    [&] { return proto::CreateServerHandleReply(fbb_, handle).Union(); });
      }
      case CommandBody::Unregister:
        return empty(server_.unregister(command.body_as_Unregister()->server_handle()));
      case CommandBody::AddItem: {
        const auto* c = command.body_as_AddItem();
        return add_item(c->server_handle(), text(c->item_def()), {}, false);
      }
      case CommandBody::AddItem2: {
        const auto* c = command.body_as_AddItem2();
        return add_item(c->server_handle(), text(c->item_def()), text(c->item_context()), false);
      }
      case CommandBody::AddBufferedItem: {
        const auto* c = command.body_as_AddBufferedItem();
        return add_item(c->server_handle(), text(c->item_def()), text(c->item_context()), true);
      }
      case CommandBody::RemoveItem: {
        const auto* c = command.body_as_RemoveItem();
        return empty(server_.remove_item(c->server_handle(), c->item_handle()));
      }
      case CommandBody::Advise: {
        const auto* c = command.body_as_Advise();
        return empty(server_.advise(c->server_handle(), c->item_handle(), false));
      }
      case CommandBody::AdviseSupervisory: {
        const auto* c = command.body_as_AdviseSupervisory();
        return empty(server_.advise(c->server_handle(), c->item_handle(), true));
      }
      case CommandBody::UnAdvise: {
        const auto* c = command.body_as_UnAdvise();
        return empty(server_.unadvise(c->server_handle(), c->item_handle()));
      }
      case CommandBody::Suspend: {
        const auto* c = command.body_as_Suspend();
        return status_reply(server_.suspend(c->server_handle(), c->item_handle()));
      }
      case CommandBody::Activate: {
        const auto* c = command.body_as_Activate();
        return status_reply(server_.activate(c->server_handle(), c->item_handle()));
      }
      case CommandBody::Write: {
        const auto* c = command.body_as_Write();
        return write_reply(c->value(), [&](const proto::Value& v, uint64_t* id) {
          return server_.write(c->server_handle(), c->item_handle(), v, 0, c->user_id(), id);
        });
      }
      case CommandBody::Write2: {
        const auto* c = command.body_as_Write2();
        return write_reply(c->value(), [&](const proto::Value& v, uint64_t* id) {
          return server_.write(c->server_handle(), c->item_handle(), v, c->timestamp_ns(), c->user_id(), id);
        });
      }
      case CommandBody::WriteSecured: {
        const auto* c = command.body_as_WriteSecured();
        return write_reply(c->value(), [&](const proto::Value& v, uint64_t* id) {
          return server_.write_secured(c->server_handle(), c->item_handle(), c->current_user_id(),
                                       c->verifier_user_id(), v, 0, id);
        });
      }
      case CommandBody::WriteSecured2: {
        const auto* c = command.body_as_WriteSecured2();
        return write_reply(c->value(), [&](const proto::Value& v, uint64_t* id) {
          return server_.write_secured(c->server_handle(), c->item_handle(), c->current_user_id(),
                                       c->verifier_user_id(), v, c->timestamp_ns(), id);
        });
      }
      case CommandBody::AuthenticateUser: {
        const auto* c = command.body_as_AuthenticateUser();
        int32_t user = 0;
        Outcome o = server_.authenticate_user(c->server_handle(), text(c->user()), text(c->password()), &user);
        return user_reply(std::move(o), user);
      }
      case CommandBody::ArchestrAUserToId: {
        const auto* c = command.body_as_ArchestrAUserToId();
        int32_t user = 0;
        Outcome o = server_.user_to_id(c->server_handle(), text(c->user_guid()), &user);
        return user_reply(std::move(o), user);
      }
      case CommandBody::SetBufferedUpdateInterval: {
        const auto* c = command.body_as_SetBufferedUpdateInterval();
        return empty(server_.set_buffered_update_interval(c->server_handle(), c->interval_ms()));
      }
      case CommandBody::AddItems:
        return add_items(*command.body_as_AddItems());
      case CommandBody::AdviseItems:
        return advise_items(*command.body_as_AdviseItems());
      case CommandBody::Shutdown:
        return empty({});
      case CommandBody::NONE:
        break;
    }
    return Answer::failed(
        Outcome::failure(CommandError::InvalidArgument,
                         "unknown command type " + std::to_string(static_cast<int>(command.body_type()))));
  }

 private:
  template <typename MakeBody>
  Answer with(Outcome outcome, ReplyBody kind, MakeBody make_body) {
    if (!outcome.ok()) return Answer::failed(std::move(outcome));
    return {std::move(outcome), kind, make_body()};
  }
  Answer empty(Outcome outcome) {
    return with(std::move(outcome), ReplyBody::EmptyReply, [&] { return proto::CreateEmptyReply(fbb_).Union(); });
  }
  Answer status_reply(Outcome outcome) {
    const proto::MxStatus status = status_for(outcome.error);
    return with(std::move(outcome), ReplyBody::StatusReply,
                [&] { return proto::CreateStatusReply(fbb_, &status).Union(); });
  }
  Answer user_reply(Outcome outcome, int32_t user) {
    return with(std::move(outcome), ReplyBody::UserIdReply,
                [&] { return proto::CreateUserIdReply(fbb_, user).Union(); });
  }
  Answer add_item(int32_t server_handle, std::string_view def, std::string_view context, bool buffered) {
    int32_t handle = 0;
    Outcome o = server_.add_item(server_handle, def, context, buffered, &handle);
    return with(std::move(o), ReplyBody::ItemHandleReply,
                [&] { return proto::CreateItemHandleReply(fbb_, handle).Union(); });
  }
  template <typename Write>
  Answer write_reply(const proto::Value* value, Write write) {
    if (!value) return Answer::failed(Outcome::failure(CommandError::InvalidArgument, "the write carries no value"));
    uint64_t write_id = 0;
    Outcome o = write(*value, &write_id);
    return with(std::move(o), ReplyBody::WriteAccepted,
                [&] { return proto::CreateWriteAccepted(fbb_, write_id).Union(); });
  }

  // Batch forms answer per entry; the command itself fails only when the
  // registration does.
  template <typename Entries, typename Apply>
  Answer batch(const Entries* entries, Apply apply) {
    std::vector<int32_t> handles;
    std::vector<proto::MxStatus> statuses;
    std::vector<int16_t> errors;
    const size_t count = entries ? entries->size() : 0;
    for (size_t i = 0; i < count; ++i) {
      int32_t handle = 0;
      Outcome o = apply(entries->Get(static_cast<flatbuffers::uoffset_t>(i)), &handle);
      if (o.error == CommandError::NotRegistered || o.error == CommandError::UnknownServerHandle)
        return Answer::failed(o);
      handles.push_back(o.ok() ? handle : 0);
      statuses.push_back(status_for(o.error));
      errors.push_back(static_cast<int16_t>(o.error));
    }
    return {{}, ReplyBody::BatchReply, [&] {
              const auto h = fbb_.CreateVector(handles);
              const auto s = fbb_.CreateVectorOfStructs(statuses);
              const auto e =
                  fbb_.CreateVector(reinterpret_cast<const proto::CommandError*>(errors.data()), errors.size());
              return proto::CreateBatchReply(fbb_, h, s, e).Union();
            }()};
  }
  Answer add_items(const proto::AddItems& c) {
    return batch(c.item_defs(), [&](const flatbuffers::String* def, int32_t* handle) {
      return server_.add_item(c.server_handle(), text(def), {}, false, handle);
    });
  }
  Answer advise_items(const proto::AdviseItems& c) {
    return batch(c.item_handles(), [&](int32_t item, int32_t* handle) {
      *handle = item;
      return server_.advise(c.server_handle(), item, c.supervisory());
    });
  }

  MxServer& server_;
  flatbuffers::FlatBufferBuilder& fbb_;
};

}  // namespace

transport::SharedBytes dispatch_command(MxServer& server, const proto::Command& command,
                                        transport::PayloadBuilder& builder) {
  auto& fbb = builder.fbb();
  Answer answer = Dispatcher(server, fbb).run(command);
  const proto::MxStatus status = status_for(answer.outcome.error);
  const auto message = answer.outcome.ok() ? 0 : fbb.CreateString(answer.outcome.message);
  proto::ReplyBuilder reply(fbb);
  reply.add_correlation_id(command.correlation_id());
  reply.add_error(answer.outcome.error);
  reply.add_status(&status);
  reply.add_message(message);
  if (answer.outcome.ok()) {
    reply.add_body_type(answer.kind);
    reply.add_body(answer.body);
  }
  const auto frame = proto::CreateWorkerFrame(fbb, proto::WorkerMessage::Reply, reply.Finish().Union());
  return builder.finish(frame, proto::WorkerFrameIdentifier());
}

}  // namespace mxgw::worker
