// KeyStore: the API keys that may use the gateway, loaded from the keys file, and the
// check of a key a client or operator presents.
//
// A key is 32 random bytes, shown to the operator once as text: "mxgw_" followed by
// 64 hex digits. The keys file never holds a key in clear. It holds, one key per line,
//
//   <name> <role> <salt-hex> <hash-hex>
//
// with role "client" or "admin", a 16-byte random salt (32 hex digits) and the
// BLAKE2b-256 hash of salt‖key (64 hex digits); blank lines and lines starting with
// '#' are ignored; names are unique and made of [A-Za-z0-9_.-].
//
// Why a fast hash and not a password hash: slow, memory-hard hashing (Argon2, scrypt)
// exists to make guessing low-entropy passwords from a stolen hash expensive. These
// keys are 256-bit random secrets: guessing one is out of reach however fast the hash,
// so BLAKE2b is enough, and checking a key costs microseconds rather than the tens of
// milliseconds (per entry, per connection) a password hash would.
//
// Checking a key hashes it with every entry's salt and compares in constant time,
// visiting every entry whether or not one matched, so that the time taken does not
// reveal which entry (if any) a key belongs to.
//
// Thread safety: a loaded KeyStore is immutable; const methods may be called from any
// number of threads at once. The static functions are thread-safe.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mxgw/status.h>

#include "engine/core/session_types.h"

namespace mxgw::daemon {

enum class KeyRole : uint8_t { Client, Admin };

class KeyStore {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kSaltBytes = 16;
  static constexpr size_t kHashBytes = 32;
  static constexpr std::string_view kKeyPrefix = "mxgw_";

  // Reads the keys file at `path`. Strict: the first malformed line is an error naming
  // the file and its line number; so is a file that group or others may read or write
  // (it guards admin access), or anything but a regular file. On error `*out` is left
  // as it was, so a failed reload keeps the keys in force.
  static Status load(const std::string& path, KeyStore* out);

  // The caller a presented key belongs to, or nullopt for an unknown or malformed key.
  std::optional<engine::Caller> authenticate(std::string_view presented) const;

  // A new key as text ("mxgw_" + 64 lowercase hex digits), from the system's CSPRNG.
  static std::string generate_secret();

  // The keys-file line (without its newline) for `secret` under `name` and `role`,
  // with a fresh random salt.
  // REQUIRES: valid_name(name) and well_formed_secret(secret).
  static std::string entry_line(std::string_view name, KeyRole role, std::string_view secret);

  static bool valid_name(std::string_view name);
  static bool well_formed_secret(std::string_view secret);

  size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    KeyRole role = KeyRole::Client;
    std::array<uint8_t, kSaltBytes> salt{};
    std::array<uint8_t, kHashBytes> hash{};
  };

  static Status parse_line(std::string_view line, Entry* entry);

  std::vector<Entry> entries_;
};

}  // namespace mxgw::daemon
