// fill_random fills every byte it is given, however large the request (getrandom
// may return less than asked for, and the rest must still be filled), and two draws
// differ.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <span>
#include <vector>

#include <mxgw/transport/random_bytes.h>

namespace mxgw::transport {
namespace {

TEST(FillRandom, FillsALargeBufferToTheEnd) {
  // More than one getrandom call returns at once (33554431 bytes on Linux).
  std::vector<uint8_t> bytes(40u << 20, 0);
  ASSERT_TRUE(fill_random(bytes).is_ok());
  // 4 KiB of zeros from a CSPRNG would be a 2^-32768 event: the tail was written.
  const auto tail = std::span(bytes).last(4096);
  EXPECT_FALSE(std::all_of(tail.begin(), tail.end(), [](uint8_t b) { return b == 0; }));
}

TEST(FillRandom, TwoDrawsDiffer) {
  std::array<uint8_t, 32> a{};
  std::array<uint8_t, 32> b{};
  ASSERT_TRUE(fill_random(a).is_ok());
  ASSERT_TRUE(fill_random(b).is_ok());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace mxgw::transport
