// Loading the keys file and checking presented keys (BLAKE2b via libsodium).

#include "tools/mxgw/key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

namespace mxgw::daemon {
namespace {

// libsodium must be initialised once before its random generator is used; a process
// whose CSPRNG cannot be set up must not hand out keys or salts.
void ensure_sodium() {
  static const int status = sodium_init();
  if (status < 0) {
    std::fputs("mxgw: libsodium could not be initialised; refusing to continue without a CSPRNG\n", stderr);
    std::abort();
  }
}

// Decodes exactly `bytes` bytes from exactly 2 * `bytes` hex digits (either case).
bool decode_hex(std::string_view hex, uint8_t* out, size_t bytes) {
  if (hex.size() != 2 * bytes) return false;
  size_t decoded = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out, bytes, hex.data(), hex.size(), nullptr, &decoded, &end) == 0 && decoded == bytes &&
         end == hex.data() + hex.size();
}

std::string encode_hex(const uint8_t* data, size_t bytes) {
  std::string out(2 * bytes + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, bytes);
  out.pop_back();
  return out;
}

// The 32 key bytes of a well-formed secret.
bool decode_secret(std::string_view secret, uint8_t* key) {
  if (!secret.starts_with(KeyStore::kKeyPrefix)) return false;
  return decode_hex(secret.substr(KeyStore::kKeyPrefix.size()), key, KeyStore::kKeyBytes);
}

void hash_key(const uint8_t* salt, const uint8_t* key, uint8_t* hash) {
  uint8_t input[KeyStore::kSaltBytes + KeyStore::kKeyBytes];
  std::memcpy(input, salt, KeyStore::kSaltBytes);
  std::memcpy(input + KeyStore::kSaltBytes, key, KeyStore::kKeyBytes);
  crypto_generichash(hash, KeyStore::kHashBytes, input, sizeof input, nullptr, 0);
  sodium_memzero(input, sizeof input);
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

Status read_private_file(const std::string& path, std::string* text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {ErrorCode::InvalidArgument, "cannot open keys file " + path + ": " + std::strerror(errno)};
  // Checked on the open descriptor, so that the file judged is the file read.
  struct stat info;
  Status status;
  if (::fstat(fd, &info) != 0) {
    status = {ErrorCode::InvalidArgument, "cannot stat keys file " + path + ": " + std::strerror(errno)};
  } else if (!S_ISREG(info.st_mode)) {
    status = {ErrorCode::InvalidArgument, "keys file " + path + " is not a regular file"};
  } else if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    // Readable would leak the hashes; writable would let anyone add an admin key.
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    status = {ErrorCode::InvalidArgument, "keys file " + path + " has mode " + mode +
                                              ": it guards admin access and must not be accessible to group or "
                                              "others (chmod 600 " +
                                              path + ")"};
  }
  while (status.is_ok()) {
    char buffer[16384];
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      status = {ErrorCode::InvalidArgument, "cannot read keys file " + path + ": " + std::strerror(errno)};
      break;
    }
    text->append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return status;
}

}  // namespace

bool KeyStore::valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool KeyStore::well_formed_secret(std::string_view secret) {
  uint8_t key[kKeyBytes];
  const bool ok = decode_secret(secret, key);
  sodium_memzero(key, sizeof key);
  return ok;
}

Status KeyStore::parse_line(std::string_view line, Entry* entry) {
  const std::vector<std::string_view> fields = split_fields(line);
  if (fields.size() != 4) {
    return {ErrorCode::InvalidArgument,
            "expected 4 fields (<name> <role> <salt-hex> <hash-hex>), found " + std::to_string(fields.size())};
  }
  if (!valid_name(fields[0])) {
    return {ErrorCode::InvalidArgument, "name '" + std::string(fields[0]) + "' may hold only A-Z a-z 0-9 _ . -"};
  }
  entry->name = fields[0];
  if (fields[1] == "client") {
    entry->role = KeyRole::Client;
  } else if (fields[1] == "admin") {
    entry->role = KeyRole::Admin;
  } else {
    return {ErrorCode::InvalidArgument, "role '" + std::string(fields[1]) + "' is neither client nor admin"};
  }
  if (!decode_hex(fields[2], entry->salt.data(), kSaltBytes)) {
    return {ErrorCode::InvalidArgument, "salt must be " + std::to_string(2 * kSaltBytes) + " hex digits"};
  }
  if (!decode_hex(fields[3], entry->hash.data(), kHashBytes)) {
    return {ErrorCode::InvalidArgument, "hash must be " + std::to_string(2 * kHashBytes) + " hex digits"};
  }
  return {};
}

Status KeyStore::load(const std::string& path, KeyStore* out) {
  ensure_sodium();
  std::string text;
  if (Status status = read_private_file(path, &text); !status) return status;

  KeyStore loaded;
  std::unordered_set<std::string> names;
  size_t line_number = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    ++line_number;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    Entry entry;
    Status status = parse_line(line, &entry);
    if (status && !names.insert(entry.name).second) {
      status = {ErrorCode::InvalidArgument, "name '" + entry.name + "' is used by an earlier line"};
    }
    if (!status) return {status.code(), path + ":" + std::to_string(line_number) + ": " + status.message()};
    loaded.entries_.push_back(std::move(entry));
  }
  *out = std::move(loaded);
  return {};
}

std::optional<engine::Caller> KeyStore::authenticate(std::string_view presented) const {
  // The key format is public, so refusing a malformed one early reveals nothing.
  uint8_t key[kKeyBytes];
  if (!decode_secret(presented, key)) {
    sodium_memzero(key, sizeof key);
    return std::nullopt;
  }
  const Entry* match = nullptr;
  for (const Entry& entry : entries_) {
    uint8_t hash[kHashBytes];
    hash_key(entry.salt.data(), key, hash);
    const bool equal = sodium_memcmp(hash, entry.hash.data(), kHashBytes) == 0;
    // No early exit: every entry costs the same whether or not one matched before.
    if (equal && match == nullptr) match = &entry;
  }
  sodium_memzero(key, sizeof key);
  if (match == nullptr) return std::nullopt;
  return engine::Caller{match->name, match->role == KeyRole::Admin};
}

std::string KeyStore::generate_secret() {
  ensure_sodium();
  uint8_t key[kKeyBytes];
  randombytes_buf(key, sizeof key);
  std::string secret(kKeyPrefix);
  secret += encode_hex(key, sizeof key);
  sodium_memzero(key, sizeof key);
  return secret;
}

std::string KeyStore::entry_line(std::string_view name, KeyRole role, std::string_view secret) {
  ensure_sodium();
  uint8_t key[kKeyBytes];
  decode_secret(secret, key);
  uint8_t salt[kSaltBytes];
  randombytes_buf(salt, sizeof salt);
  uint8_t hash[kHashBytes];
  hash_key(salt, key, hash);
  sodium_memzero(key, sizeof key);
  std::string line(name);
  line += role == KeyRole::Admin ? " admin " : " client ";
  line += encode_hex(salt, sizeof salt);
  line += ' ';
  line += encode_hex(hash, sizeof hash);
  return line;
}

}  // namespace mxgw::daemon
