// Proves that gateway addresses parse in exactly the accepted forms (tcp://host:port
// with a name, IPv4 or bracketed IPv6 host; unix:///absolute/path) and that every
// other form is refused with InvalidArgument and a message that says what is wrong.

#include <gtest/gtest.h>

#include <string>

#include "engine/client/client_address.h"

namespace mxgw::client {
namespace {

TEST(ClientAddressTest, AcceptsTcpAndUnixForms) {
  ClientAddress address;
  ASSERT_TRUE(parse_client_address("tcp://127.0.0.1:7400", &address).is_ok());
  EXPECT_EQ(address.kind, ClientAddress::Kind::Tcp);
  EXPECT_EQ(address.host, "127.0.0.1");
  EXPECT_EQ(address.port, 7400);
  EXPECT_EQ(address.to_string(), "tcp://127.0.0.1:7400");

  ASSERT_TRUE(parse_client_address("tcp://gateway.example:1", &address).is_ok());
  EXPECT_EQ(address.host, "gateway.example");
  EXPECT_EQ(address.port, 1);

  ASSERT_TRUE(parse_client_address("tcp://[::1]:65535", &address).is_ok());
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 65535);
  EXPECT_EQ(address.to_string(), "tcp://[::1]:65535");

  ASSERT_TRUE(parse_client_address("unix:///run/mxgw/client.sock", &address).is_ok());
  EXPECT_EQ(address.kind, ClientAddress::Kind::Unix);
  EXPECT_EQ(address.path, "/run/mxgw/client.sock");
  EXPECT_EQ(address.to_string(), "unix:///run/mxgw/client.sock");
}

TEST(ClientAddressTest, RefusesEverythingElseWithAReason) {
  const struct {
    const char* text;
    const char* says;
  } cases[] = {
      {"", "expected tcp://host:port or unix:///absolute/path"},
      {"127.0.0.1:7400", "expected tcp://"},
      {"http://127.0.0.1:80", "expected tcp://"},
      {"TCP://127.0.0.1:80", "expected tcp://"},
      {"tcp://127.0.0.1", "no ':port'"},
      {"tcp://127.0.0.1:", "no port"},
      {"tcp://:7400", "no host"},
      {"tcp://host:0", "between 1 and 65535"},
      {"tcp://host:65536", "between 1 and 65535"},
      {"tcp://host:74a0", "decimal number"},
      {"tcp://host:-1", "decimal number"},
      {"tcp://host:7400/path", "decimal number"},
      {"tcp://::1:7400", "in brackets"},
      {"tcp://[::1]7400", "no ':port'"},
      {"tcp://[::1:7400", "closing ']'"},
      {"tcp://user@host:7400", "characters"},
      {"unix://", "no socket path"},
      {"unix://relative.sock", "absolute"},
      {"unix:///", "directory"},
  };
  for (const auto& c : cases) {
    ClientAddress address;
    const Status status = parse_client_address(c.text, &address);
    EXPECT_EQ(status.code(), ErrorCode::InvalidArgument) << c.text;
    EXPECT_NE(status.message().find(c.says), std::string::npos) << c.text << " -> " << status.message();
    EXPECT_NE(status.message().find(c.text), std::string::npos) << "the message quotes the address";
  }
  ClientAddress address;
  const Status too_long = parse_client_address("unix:///" + std::string(200, 'x'), &address);
  EXPECT_EQ(too_long.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(too_long.message().find("longer than"), std::string::npos) << too_long.message();
}

}  // namespace
}  // namespace mxgw::client
