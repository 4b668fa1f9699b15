// /proc readers for the census.

#include "tests/support/process_census.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace mxgw::testing {
namespace {

std::string proc_path(int pid, const char* entry) {
  return (pid > 0 ? "/proc/" + std::to_string(pid) : std::string("/proc/self")) + "/" + entry;
}

}  // namespace

std::vector<int> child_processes(int pid) {
  std::vector<int> children;
  const int parent_wanted = pid > 0 ? pid : ::getpid();
  DIR* proc = opendir("/proc");
  if (!proc) return children;
  while (dirent* entry = readdir(proc)) {
    const int child = std::atoi(entry->d_name);
    if (child <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // The fields after the command name, which is in parentheses and may hold spaces.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state = 0;
    int parent = 0;
    rest >> state >> parent;
    if (parent == parent_wanted) children.push_back(child);
  }
  closedir(proc);
  return children;
}

size_t open_descriptors(int pid) {
  size_t count = 0;
  DIR* fds = opendir(proc_path(pid, "fd").c_str());
  if (!fds) return 0;
  while (readdir(fds)) ++count;
  closedir(fds);
  return count;
}

bool process_exists(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

size_t resident_kib(int pid) {
  std::ifstream status(proc_path(pid, "status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

}  // namespace mxgw::testing
