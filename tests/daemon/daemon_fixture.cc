// The daemon tests' directory and keys.

#include "tests/daemon/daemon_fixture.h"

#include <stdlib.h>

#include <filesystem>

namespace mxgw::testing {

void DaemonFixture::SetUp() {
  char pattern[] = "/tmp/mxgw-daemon-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;
  daemon_ = std::make_unique<DaemonProcess>(dir_);
  std::string error;
  client_key_ = daemon_->add_key("feeder", "client", &error);
  ASSERT_FALSE(client_key_.empty()) << error;
  admin_key_ = daemon_->add_key("ops", "admin", &error);
  ASSERT_FALSE(admin_key_.empty()) << error;
}

void DaemonFixture::TearDown() {
  daemon_.reset();
  std::filesystem::remove_all(dir_);
}

}  // namespace mxgw::testing
