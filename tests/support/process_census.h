// What this process (or another one, such as a daemon the test started) holds right
// now, read from /proc: its children (zombies included), its open descriptors, its
// resident memory. Tests and benchmarks use it to prove that sessions leave nothing
// behind.
//
// Thread safety: each call reads /proc afresh; safe from any thread.

#pragma once

#include <cstddef>
#include <vector>

namespace mxgw::testing {

// Each function looks at this process, or at `pid` when it is given (> 0).
std::vector<int> child_processes(int pid = 0);
size_t open_descriptors(int pid = 0);
bool process_exists(int pid);
// VmRSS in KiB; 0 if unknown.
size_t resident_kib(int pid = 0);

}  // namespace mxgw::testing
