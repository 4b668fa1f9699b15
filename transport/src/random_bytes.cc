// getrandom(2) with a bounded retry.

#include <mxgw/transport/random_bytes.h>

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mxgw::transport {
namespace {

// Enough to ride out a burst of signals or a pool that is being seeded; a kernel that
// keeps refusing past this is reported rather than waited for.
constexpr int kMaxRetries = 100;

}  // namespace

Status fill_random(std::span<uint8_t> out) {
  size_t filled = 0;
  int retries = 0;
  while (filled < out.size()) {
    const ssize_t n = getrandom(out.data() + filled, out.size() - filled, 0);
    if (n > 0) {
      filled += static_cast<size_t>(n);
      continue;
    }
    const int error = n < 0 ? errno : EAGAIN;
    if ((error == EINTR || error == EAGAIN) && ++retries <= kMaxRetries) continue;
    return {ErrorCode::Internal, std::string("cannot read random bytes from the kernel: ") + std::strerror(error)};
  }
  return {};
}

}  // namespace mxgw::transport
