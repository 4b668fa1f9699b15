// The start of a test of `mxgw serve` as a child process: a private directory under
// /tmp, a DaemonProcess in it (not started yet), and the keys such tests use, a
// client key "feeder" and an admin key "ops". TearDown kills a daemon still running
// and removes the directory with everything in it.
//
// Thread safety: a gtest fixture; everything runs on the test's thread.

#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/daemon/daemon_process.h"

namespace mxgw::testing {

class DaemonFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string dir_, client_key_, admin_key_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace mxgw::testing
