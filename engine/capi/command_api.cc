// The MXAccess command entry points (mxgw.h, "commands"): each builds its command,
// sends it through the session's connection and reads the reply's body, under
// guarded() (errors.h).

#include <string>
#include <utility>

#include <mxgw/schema/worker_generated.h>

#include "engine/capi/handles.h"
#include "engine/capi/value_codec.h"

using mxgw::Status;
using mxgw::capi::fail;
using mxgw::capi::guarded;
namespace proto = mxgw::proto;

namespace {

// Sends `body` and fills *reply. A refused command returns its MXAccess error.
template <typename Body>
int run(mxgw_session* session, Body&& body, proto::ReplyT* reply) {
  if (!session) return fail(MXGW_E_INVALID_ARGUMENT, "no session");
  if (session->closed.load(std::memory_order_acquire)) return fail(MXGW_E_CLOSED, "the session is closed");
  if (session->client->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
  proto::CommandT command;
  command.body.Set(std::forward<Body>(body));
  if (Status status = session->client->connection->invoke(session->id, command, reply); !status.is_ok()) {
    return fail(status);
  }
  if (reply->error != proto::CommandError::None) {
    const std::string message = reply->message.empty()
                                    ? std::string("MXAccess error ") + proto::EnumNameCommandError(reply->error)
                                    : reply->message;
    return fail(mxgw::capi::code_of(reply->error), message);
  }
  return MXGW_OK;
}

template <typename Body>
int run(mxgw_session* session, Body&& body) {
  proto::ReplyT reply;
  return run(session, std::forward<Body>(body), &reply);
}

int missing(const char* what) { return fail(MXGW_E_INVALID_ARGUMENT, std::string(what) + " is required"); }

// Commands answered with an item handle.
template <typename Body>
int run_for_item(mxgw_session* session, Body&& body, int32_t* item_handle) {
  proto::ReplyT reply;
  const int code = run(session, std::forward<Body>(body), &reply);
  if (code != MXGW_OK) return code;
  const auto* answer = reply.body.AsItemHandleReply();
  if (!answer) return fail(MXGW_E_UNKNOWN_MESSAGE, "the worker answered without an item handle");
  if (item_handle) *item_handle = answer->item_handle;
  return MXGW_OK;
}

// Commands answered with a user id: the reply of a command that returned `code`.
int user_id_of(const proto::ReplyT& reply, int code, int32_t* user_id) {
  if (code != MXGW_OK) return code;
  const auto* answer = reply.body.AsUserIdReply();
  if (!answer) return fail(MXGW_E_UNKNOWN_MESSAGE, "the worker answered without a user id");
  if (user_id) *user_id = answer->user_id;
  return MXGW_OK;
}

// Writes, answered with the write id that their OnWriteComplete will carry.
template <typename Body>
int run_write(mxgw_session* session, const mxgw_value* value, Body&& body, uint64_t* write_id) {
  if (!value) return missing("a value");
  proto::ValueT converted;
  if (Status status = mxgw::capi::to_value(*value, &converted); !status.is_ok()) return fail(status);
  body.value = std::make_unique<proto::ValueT>(std::move(converted));
  proto::ReplyT reply;
  const int code = run(session, std::forward<Body>(body), &reply);
  if (code != MXGW_OK) return code;
  const auto* accepted = reply.body.AsWriteAccepted();
  if (write_id) *write_id = accepted ? accepted->write_id : 0;
  return MXGW_OK;
}

template <typename Body>
int run_item_command(mxgw_session* session, int32_t server_handle, int32_t item_handle) {
  Body body;
  body.server_handle = server_handle;
  body.item_handle = item_handle;
  return run(session, std::move(body));
}

// The per-item results of a batch command.
int batch_results(const proto::ReplyT& reply, size_t count, int32_t* handles, int32_t* errors) {
  const auto* batch = reply.body.AsBatchReply();
  if (!batch || batch->errors.size() != count || (handles && batch->handles.size() != count)) {
    return fail(MXGW_E_UNKNOWN_MESSAGE, "the worker's batch reply does not match the request");
  }
  for (size_t i = 0; i < count; ++i) {
    if (handles) handles[i] = batch->handles[i];
    if (errors) {
      errors[i] = mxgw::capi::code_of(batch->errors[i]);
    }
  }
  return MXGW_OK;
}

}  // namespace

extern "C" {

int mxgw_register(mxgw_session* s, const char* client_name, int32_t* server_handle) {
  return guarded([&]() -> int {
    if (!client_name) return missing("a client name");
    proto::ReplyT reply;
    const int code = run(s, proto::RegisterT{{}, client_name}, &reply);
    if (code != MXGW_OK) return code;
    const auto* answer = reply.body.AsServerHandleReply();
    if (!answer) return fail(MXGW_E_UNKNOWN_MESSAGE, "the worker answered Register without a server handle");
    if (server_handle) *server_handle = answer->server_handle;
    return MXGW_OK;
  });
}

int mxgw_unregister(mxgw_session* s, int32_t server_handle) {
  return guarded([&]() -> int { return run(s, proto::UnregisterT{{}, server_handle}); });
}

int mxgw_add_item(mxgw_session* s, int32_t server_handle, const char* item_def, int32_t* item_handle) {
  return guarded([&]() -> int {
    if (!item_def) return missing("an item definition");
    return run_for_item(s, proto::AddItemT{{}, server_handle, item_def}, item_handle);
  });
}

int mxgw_add_item2(mxgw_session* s, int32_t server_handle, const char* item_def, const char* item_context,
                   int32_t* item_handle) {
  return guarded([&]() -> int {
    if (!item_def) return missing("an item definition");
    return run_for_item(s, proto::AddItem2T{{}, server_handle, item_def, item_context ? item_context : ""},
                        item_handle);
  });
}

int mxgw_add_buffered_item(mxgw_session* s, int32_t server_handle, const char* item_def, const char* item_context,
                           int32_t* item_handle) {
  return guarded([&]() -> int {
    if (!item_def) return missing("an item definition");
    return run_for_item(s, proto::AddBufferedItemT{{}, server_handle, item_def, item_context ? item_context : ""},
                        item_handle);
  });
}

int mxgw_remove_item(mxgw_session* s, int32_t server_handle, int32_t item_handle) {
  return guarded([&]() -> int { return run_item_command<proto::RemoveItemT>(s, server_handle, item_handle); });
}
int mxgw_advise(mxgw_session* s, int32_t server_handle, int32_t item_handle) {
  return guarded([&]() -> int { return run_item_command<proto::AdviseT>(s, server_handle, item_handle); });
}
int mxgw_advise_supervisory(mxgw_session* s, int32_t server_handle, int32_t item_handle) {
  return guarded([&]() -> int { return run_item_command<proto::AdviseSupervisoryT>(s, server_handle, item_handle); });
}
int mxgw_unadvise(mxgw_session* s, int32_t server_handle, int32_t item_handle) {
  return guarded([&]() -> int { return run_item_command<proto::UnAdviseT>(s, server_handle, item_handle); });
}
int mxgw_suspend(mxgw_session* s, int32_t server_handle, int32_t item_handle) {
  return guarded([&]() -> int { return run_item_command<proto::SuspendT>(s, server_handle, item_handle); });
}
int mxgw_activate(mxgw_session* s, int32_t server_handle, int32_t item_handle) {
  return guarded([&]() -> int { return run_item_command<proto::ActivateT>(s, server_handle, item_handle); });
}

int mxgw_set_buffered_update_interval(mxgw_session* s, int32_t server_handle, int32_t interval_ms) {
  return guarded([&]() -> int { return run(s, proto::SetBufferedUpdateIntervalT{{}, server_handle, interval_ms}); });
}

int mxgw_add_items(mxgw_session* s, int32_t server_handle, const char* const* item_defs, size_t count,
                   int32_t* item_handles, int32_t* errors) {
  return guarded([&]() -> int {
    if (count && (!item_defs || !item_handles)) return missing("item definitions and room for their handles");
    proto::AddItemsT body;
    body.server_handle = server_handle;
    for (size_t i = 0; i < count; ++i) {
      if (!item_defs[i]) return missing("every item definition");
      body.item_defs.emplace_back(item_defs[i]);
    }
    proto::ReplyT reply;
    const int code = run(s, std::move(body), &reply);
    return code != MXGW_OK ? code : batch_results(reply, count, item_handles, errors);
  });
}

int mxgw_advise_items(mxgw_session* s, int32_t server_handle, const int32_t* item_handles, size_t count,
                      int supervisory, int32_t* errors) {
  return guarded([&]() -> int {
    if (count && !item_handles) return missing("item handles");
    proto::AdviseItemsT body;
    body.server_handle = server_handle;
    body.item_handles.assign(item_handles, item_handles + count);
    body.supervisory = supervisory != 0;
    proto::ReplyT reply;
    const int code = run(s, std::move(body), &reply);
    return code != MXGW_OK ? code : batch_results(reply, count, nullptr, errors);
  });
}

int mxgw_write(mxgw_session* s, int32_t server_handle, int32_t item_handle, const mxgw_value* value, int32_t user_id,
               uint64_t* write_id) {
  return guarded([&]() -> int {
    proto::WriteT body;
    body.server_handle = server_handle;
    body.item_handle = item_handle;
    body.user_id = user_id;
    return run_write(s, value, std::move(body), write_id);
  });
}

int mxgw_write2(mxgw_session* s, int32_t server_handle, int32_t item_handle, const mxgw_value* value,
                int64_t timestamp_ns, int32_t user_id, uint64_t* write_id) {
  return guarded([&]() -> int {
    proto::Write2T body;
    body.server_handle = server_handle;
    body.item_handle = item_handle;
    body.timestamp_ns = timestamp_ns;
    body.user_id = user_id;
    return run_write(s, value, std::move(body), write_id);
  });
}

int mxgw_write_secured(mxgw_session* s, int32_t server_handle, int32_t item_handle, int32_t current_user_id,
                       int32_t verifier_user_id, const mxgw_value* value, uint64_t* write_id) {
  return guarded([&]() -> int {
    proto::WriteSecuredT body;
    body.server_handle = server_handle;
    body.item_handle = item_handle;
    body.current_user_id = current_user_id;
    body.verifier_user_id = verifier_user_id;
    return run_write(s, value, std::move(body), write_id);
  });
}

int mxgw_write_secured2(mxgw_session* s, int32_t server_handle, int32_t item_handle, int32_t current_user_id,
                        int32_t verifier_user_id, const mxgw_value* value, int64_t timestamp_ns, uint64_t* write_id) {
  return guarded([&]() -> int {
    proto::WriteSecured2T body;
    body.server_handle = server_handle;
    body.item_handle = item_handle;
    body.current_user_id = current_user_id;
    body.verifier_user_id = verifier_user_id;
    body.timestamp_ns = timestamp_ns;
    return run_write(s, value, std::move(body), write_id);
  });
}

int mxgw_authenticate_user(mxgw_session* s, int32_t server_handle, const char* user, const char* password,
                           int32_t* user_id) {
  return guarded([&]() -> int {
    if (!user || !password) return missing("a user and a password");
    proto::ReplyT reply;
    const int code = run(s, proto::AuthenticateUserT{{}, server_handle, user, password}, &reply);
    return user_id_of(reply, code, user_id);
  });
}

int mxgw_archestra_user_to_id(mxgw_session* s, int32_t server_handle, const char* user_guid, int32_t* user_id) {
  return guarded([&]() -> int {
    if (!user_guid) return missing("a user GUID");
    proto::ReplyT reply;
    const int code = run(s, proto::ArchestrAUserToIdT{{}, server_handle, user_guid}, &reply);
    return user_id_of(reply, code, user_id);
  });
}

}  // extern "C"
