// Proves that the keys file round-trips generated keys with their roles, that any other
// key is refused, that every kind of malformed line is an error naming its line, and
// that a keys file open to group or others is refused.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tools/mxgw/key_store.h"

namespace mxgw::daemon {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mxgw-keys-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/keys";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  void write_keys(const std::string& text, mode_t mode = 0600) {
    std::ofstream(path_, std::ios::trunc) << text;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }

  // The load error for a file holding `text`.
  Status load_error(const std::string& text) {
    write_keys(text);
    KeyStore store;
    return KeyStore::load(path_, &store);
  }

  std::string dir_;
  std::string path_;
};

const std::string kSalt(32, 'a');
const std::string kHash(64, 'b');

TEST_F(KeyStoreTest, GeneratedKeysRoundTripWithTheirRoles) {
  const std::string alice = KeyStore::generate_secret();
  const std::string root = KeyStore::generate_secret();
  write_keys("# operators\n\n" + KeyStore::entry_line("alice", KeyRole::Client, alice) + "\n" +
             KeyStore::entry_line("root.ops-1", KeyRole::Admin, root) + "\n");
  KeyStore store;
  ASSERT_TRUE(KeyStore::load(path_, &store).is_ok());
  EXPECT_EQ(store.size(), 2u);

  const auto as_alice = store.authenticate(alice);
  ASSERT_TRUE(as_alice.has_value());
  EXPECT_EQ(as_alice->key_name, "alice");
  EXPECT_FALSE(as_alice->admin);
  const auto as_root = store.authenticate(root);
  ASSERT_TRUE(as_root.has_value());
  EXPECT_EQ(as_root->key_name, "root.ops-1");
  EXPECT_TRUE(as_root->admin);
}

TEST_F(KeyStoreTest, AnyOtherKeyIsRefused) {
  const std::string alice = KeyStore::generate_secret();
  write_keys(KeyStore::entry_line("alice", KeyRole::Admin, alice) + "\n");
  KeyStore store;
  ASSERT_TRUE(KeyStore::load(path_, &store).is_ok());

  EXPECT_FALSE(store.authenticate(KeyStore::generate_secret()).has_value());
  std::string one_digit_off = alice;
  one_digit_off.back() = one_digit_off.back() == '0' ? '1' : '0';
  EXPECT_FALSE(store.authenticate(one_digit_off).has_value());
  EXPECT_FALSE(store.authenticate("").has_value());
  EXPECT_FALSE(store.authenticate("mxgw_").has_value());
  EXPECT_FALSE(store.authenticate(alice.substr(5)).has_value());                    // no prefix
  EXPECT_FALSE(store.authenticate(alice.substr(0, alice.size() - 2)).has_value());  // short
  EXPECT_FALSE(store.authenticate(alice + "00").has_value());                       // long
  EXPECT_TRUE(store.authenticate(alice).has_value());
}

TEST_F(KeyStoreTest, GeneratedSecretsAndLinesHaveTheirFormat) {
  const std::string secret = KeyStore::generate_secret();
  ASSERT_EQ(secret.size(), 5u + 64u);
  EXPECT_TRUE(secret.starts_with("mxgw_"));
  EXPECT_EQ(secret.find_first_not_of("0123456789abcdef", 5), std::string::npos);
  EXPECT_TRUE(KeyStore::well_formed_secret(secret));
  EXPECT_NE(secret, KeyStore::generate_secret());

  const std::string line = KeyStore::entry_line("svc", KeyRole::Client, secret);
  EXPECT_TRUE(line.starts_with("svc client "));
  EXPECT_EQ(line.size(), 4u + 7u + 32u + 1u + 64u);
  EXPECT_EQ(line.find(secret.substr(5)), std::string::npos) << "the key must never be stored in clear";
  EXPECT_NE(line, KeyStore::entry_line("svc", KeyRole::Client, secret)) << "each line gets a fresh salt";
}

TEST_F(KeyStoreTest, EmptyFileHoldsNoKeysAndRefusesEveryone) {
  write_keys("");
  KeyStore store;
  ASSERT_TRUE(KeyStore::load(path_, &store).is_ok());
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.authenticate(KeyStore::generate_secret()).has_value());

  write_keys("# nothing yet\n\n   \n");
  ASSERT_TRUE(KeyStore::load(path_, &store).is_ok());
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(KeyStoreTest, EachMalformedLineIsAnErrorWithItsLineNumber) {
  const std::string good = KeyStore::entry_line("good", KeyRole::Client, KeyStore::generate_secret()) + "\n";
  struct Case {
    std::string line;
    std::string says;
  };
  const Case cases[] = {
      {"alice client " + kSalt, "expected 4 fields"},
      {"alice client " + kSalt + " " + kHash + " extra", "found 5"},
      {"al/ice client " + kSalt + " " + kHash, "name 'al/ice'"},
      {"alice root " + kSalt + " " + kHash, "role 'root'"},
      {"alice Admin " + kSalt + " " + kHash, "role 'Admin'"},
      {"alice client " + kSalt.substr(2) + " " + kHash, "salt must be 32 hex digits"},
      {"alice client " + kSalt.substr(1) + "g " + kHash, "salt must be 32 hex digits"},
      {"alice client " + kSalt + " " + kHash + "00", "hash must be 64 hex digits"},
      {"alice client " + kSalt + " " + kHash.substr(1) + "z", "hash must be 64 hex digits"},
      {"good client " + kSalt + " " + kHash, "name 'good' is used by an earlier line"},
  };
  for (const Case& c : cases) {
    // Line 1 a comment, line 2 blank, line 3 a good key, line 4 the bad one.
    const Status status = load_error("# keys\n\n" + good + c.line + "\n");
    EXPECT_EQ(status.code(), ErrorCode::InvalidArgument) << c.line;
    EXPECT_NE(status.message().find(path_ + ":4: "), std::string::npos) << status.message();
    EXPECT_NE(status.message().find(c.says), std::string::npos) << status.message();
  }
}

TEST_F(KeyStoreTest, FailedLoadKeepsTheKeysInForce) {
  const std::string alice = KeyStore::generate_secret();
  write_keys(KeyStore::entry_line("alice", KeyRole::Client, alice) + "\n");
  KeyStore store;
  ASSERT_TRUE(KeyStore::load(path_, &store).is_ok());
  write_keys("broken\n");
  EXPECT_FALSE(KeyStore::load(path_, &store).is_ok());
  EXPECT_EQ(store.size(), 1u);
  EXPECT_TRUE(store.authenticate(alice).has_value());
}

TEST_F(KeyStoreTest, FileOpenToGroupOrOthersIsRefused) {
  const std::string line = KeyStore::entry_line("alice", KeyRole::Admin, KeyStore::generate_secret()) + "\n";
  for (mode_t mode : {0640, 0604, 0620, 0602, 0644}) {
    write_keys(line, mode);
    KeyStore store;
    const Status status = KeyStore::load(path_, &store);
    EXPECT_EQ(status.code(), ErrorCode::InvalidArgument) << std::oct << mode;
    EXPECT_NE(status.message().find("chmod 600"), std::string::npos) << status.message();
    EXPECT_EQ(store.size(), 0u);
  }
  write_keys(line, 0400);
  KeyStore store;
  EXPECT_TRUE(KeyStore::load(path_, &store).is_ok());
}

TEST_F(KeyStoreTest, MissingFileAndDirectoryAreErrors) {
  KeyStore store;
  const Status missing = KeyStore::load(dir_ + "/absent", &store);
  EXPECT_EQ(missing.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(missing.message().find("cannot open keys file"), std::string::npos) << missing.message();
  ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);
  const Status directory = KeyStore::load(dir_, &store);
  EXPECT_NE(directory.message().find("not a regular file"), std::string::npos) << directory.message();
}

TEST_F(KeyStoreTest, NamesAreCheckedForTheCli) {
  EXPECT_TRUE(KeyStore::valid_name("A-z_0.9"));
  EXPECT_FALSE(KeyStore::valid_name(""));
  EXPECT_FALSE(KeyStore::valid_name("two words"));
  EXPECT_FALSE(KeyStore::valid_name("caf\xc3\xa9"));
  EXPECT_FALSE(KeyStore::well_formed_secret("mxgw_xyz"));
}

}  // namespace
}  // namespace mxgw::daemon
