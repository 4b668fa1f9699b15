// ClientAddress: where a gateway listens, parsed from the one textual form every mxgw
// tool accepts:
//
//   tcp://host:port       host: a name, an IPv4 address, or [an IPv6 address]
//   unix:///abs/path      an absolute path to a Unix socket
//
// Anything else is refused with InvalidArgument and a message that names the
// accepted forms, so a typo on a command line explains itself.
//
// Thread safety: pure functions on values.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <mxgw/status.h>

namespace mxgw::client {

struct ClientAddress {
  enum class Kind : uint8_t { Tcp, Unix };
  Kind kind = Kind::Tcp;
  std::string host;   // Tcp: without the brackets of an IPv6 literal
  uint16_t port = 0;  // Tcp: 1..65535
  std::string path;   // Unix: absolute

  // The address in the form parse_client_address() accepts.
  std::string to_string() const;
};

// Parses `text` into `*out`; on failure `*out` is left unspecified.
Status parse_client_address(std::string_view text, ClientAddress* out);

}  // namespace mxgw::client
