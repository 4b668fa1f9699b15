// Parsing of tcp:// and unix:// gateway addresses.

#include "engine/client/client_address.h"

#include <sys/un.h>

#include <charconv>

namespace mxgw::client {
namespace {

constexpr std::string_view kTcpScheme = "tcp://";
constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kForms = "expected tcp://host:port or unix:///absolute/path";

Status invalid(std::string_view text, std::string_view why) {
  std::string message = "bad gateway address '";
  message += text;
  message += "': ";
  message += why;
  return {ErrorCode::InvalidArgument, std::move(message)};
}

Status parse_port(std::string_view text, std::string_view digits, uint16_t* port) {
  if (digits.empty()) return invalid(text, "no port after ':'");
  unsigned value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return invalid(text, "the port must be a decimal number");
  }
  if (value == 0 || value > 65535) return invalid(text, "the port must be between 1 and 65535");
  *port = static_cast<uint16_t>(value);
  return {};
}

Status parse_tcp(std::string_view text, std::string_view rest, ClientAddress* out) {
  out->kind = ClientAddress::Kind::Tcp;
  std::string_view host;
  std::string_view port;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid(text, "an IPv6 address needs its closing ']'");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.starts_with(':')) return invalid(text, "no ':port' after the IPv6 address");
    port = after.substr(1);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return invalid(text, "no ':port'");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    // A bare IPv6 literal is ambiguous about where the port starts.
    if (host.find(':') != std::string_view::npos) return invalid(text, "write an IPv6 address in brackets: [::1]");
  }
  if (host.empty()) return invalid(text, "no host");
  if (host.find_first_of("/?#@ ") != std::string_view::npos) {
    return invalid(text, "the host has characters no host has");
  }
  out->host = std::string(host);
  return parse_port(text, port, &out->port);
}

Status parse_unix(std::string_view text, std::string_view path, ClientAddress* out) {
  out->kind = ClientAddress::Kind::Unix;
  if (path.empty()) return invalid(text, "no socket path");
  if (!path.starts_with('/')) return invalid(text, "the socket path must be absolute (unix:///path)");
  if (path.size() == 1) return invalid(text, "the socket path names a directory");
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return invalid(text, "the socket path is longer than the " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                             " bytes a Unix socket allows");
  }
  out->path = std::string(path);
  return {};
}

}  // namespace

std::string ClientAddress::to_string() const {
  if (kind == Kind::Unix) return std::string(kUnixScheme) + path;
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(kTcpScheme) + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Status parse_client_address(std::string_view text, ClientAddress* out) {
  if (text.empty()) return invalid(text, kForms);
  if (text.starts_with(kTcpScheme)) return parse_tcp(text, text.substr(kTcpScheme.size()), out);
  if (text.starts_with(kUnixScheme)) return parse_unix(text, text.substr(kUnixScheme.size()), out);
  return invalid(text, kForms);
}

}  // namespace mxgw::client
