// Register, AddItems and AdviseItems through the client.

#include "tests/support/stream_counters.h"

#include <gtest/gtest.h>

#include "tests/support/await.h"

namespace mxgw::testing {

std::vector<int32_t> stream_counters(client::GatewayClient& c, const std::string& session_id, int count) {
  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "test";
  const auto registered = await(c.invoke(session_id, reg));
  EXPECT_TRUE(registered.ok()) << registered.status.to_string();
  if (!registered.ok()) return {};
  const int32_t server = registered.value.reply.body.AsServerHandleReply()->server_handle;
  proto::CommandT add;
  add.body.Set(proto::AddItemsT{});
  add.body.AsAddItems()->server_handle = server;
  for (int i = 0; i < count; ++i) {
    add.body.AsAddItems()->item_defs.push_back("Line_" +
                                               std::string(i < 10    ? "00"
                                                           : i < 100 ? "0"
                                                                     : "") +
                                               std::to_string(i) + ".Counter");
  }
  const auto added = await(c.invoke(session_id, add));
  EXPECT_TRUE(added.ok()) << added.status.to_string();
  if (!added.ok()) return {};
  const std::vector<int32_t> handles = added.value.reply.body.AsBatchReply()->handles;
  proto::CommandT advise;
  advise.body.Set(proto::AdviseItemsT{});
  advise.body.AsAdviseItems()->server_handle = server;
  advise.body.AsAdviseItems()->item_handles = handles;
  EXPECT_TRUE(await(c.invoke(session_id, advise)).ok());
  return handles;
}

}  // namespace mxgw::testing
