// fill_random: bytes from the kernel's CSPRNG (getrandom(2)), for the secrets and ids
// the engine makes: worker nonces and session ids.
//
// Failure: an interrupted call (EINTR) or an entropy pool not yet ready (EAGAIN) is
// retried, a bounded number of times, so a caller never spins forever; any other
// error, or the bound reached, is an Internal Status naming the cause. It never
// throws, so a caller on a loop thread can turn the failure into its own clean error
// (an open that fails with OpenFailed).
//
// Thread safety: any thread.

#pragma once

#include <cstdint>
#include <span>

#include <mxgw/status.h>

namespace mxgw::transport {

// Fills all of `out`, or returns an error and leaves its contents unspecified.
Status fill_random(std::span<uint8_t> out);

}  // namespace mxgw::transport
