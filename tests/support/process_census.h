// What this process holds right now, read from /proc: its children (zombies
// included), its open descriptors, its resident memory. Tests and benchmarks use it
// to prove that sessions leave nothing behind.
//
// Thread safety: each call reads /proc afresh; safe from any thread.

#pragma once

#include <cstddef>
#include <vector>

namespace mxgw::testing {

std::vector<int> child_processes();
size_t open_descriptors();
bool process_exists(int pid);
// VmRSS of this process, or of `pid`, in KiB; 0 if unknown.
size_t resident_kib(int pid = 0);

}  // namespace mxgw::testing
