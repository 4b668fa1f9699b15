// locate_worker(): the search order is in the header.

#include "engine/capi/worker_locator.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace mxgw::capi {
namespace {

std::filesystem::path directory_of_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&locate_worker), &info) == 0 || !info.dli_fname) return {};
  std::error_code ignored;
  return std::filesystem::canonical(info.dli_fname, ignored).parent_path();
}

}  // namespace

std::string locate_worker() {
  if (const char* named = std::getenv("MXGW_WORKER"); named && *named) return named;
  std::error_code ignored;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", ignored).parent_path();
  const std::filesystem::path library = directory_of_library();
  std::vector<std::filesystem::path> candidates = {program / "mxgw-worker"};
  if (!library.empty()) {
    candidates.push_back(library / "mxgw-worker");
    candidates.push_back(library.parent_path() / "bin" / "mxgw-worker");
    // A multiarch library directory (lib/x86_64-linux-gnu) is one level deeper.
    candidates.push_back(library.parent_path().parent_path() / "bin" / "mxgw-worker");
  }
  candidates.push_back(std::filesystem::path(MXGW_INSTALL_BINDIR) / "mxgw-worker");
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

}  // namespace mxgw::capi
