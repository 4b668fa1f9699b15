// The main() of every test binary: GoogleTest, with SIGPIPE ignored as in the mxgw
// executables, so that writing to a peer that died is an error code, not a death.

#include <gtest/gtest.h>

#include <csignal>

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
