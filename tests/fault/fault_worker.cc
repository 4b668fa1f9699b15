// mxgw-fault-worker: what the daemon under a fault-injection test starts in place of
// mxgw-worker (`mxgw serve --worker`). It becomes the real mxgw-worker, same argv and
// same stdin (where the nonce waits), so every session is served by the real thing;
// for a backend named `fault-<mode>` the worker also loads the fault_backend plugin,
// which misbehaves in that mode after the worker's own handshake has run.
//
// The daemon checks nothing about a backend's name before it starts a worker (the
// worker refuses names it does not know), so no product check is bypassed here: the
// real worker, given a plugin, serves whatever name the session asked for.

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  constexpr std::string_view kFaultPrefix = "fault-";
  std::string_view backend, endpoint;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--backend") backend = argv[i + 1];
    if (std::string_view(argv[i]) == "--endpoint") endpoint = argv[i + 1];
  }
  std::string worker = MXGW_WORKER_PATH, plugin_flag = "--plugin", plugin = MXGW_FAULT_BACKEND_PATH;
  std::vector<char*> args(argv, argv + argc);
  args[0] = worker.data();
  if (backend.starts_with(kFaultPrefix)) {
    ::setenv("MXGW_FAULT_MODE", std::string(backend.substr(kFaultPrefix.size())).c_str(), 1);
    ::setenv("MXGW_FAULT_ENDPOINT", std::string(endpoint).c_str(), 1);
    args.push_back(plugin_flag.data());
    args.push_back(plugin.data());
  }
  args.push_back(nullptr);
  ::execv(worker.c_str(), args.data());
  std::perror("mxgw-fault-worker: cannot run " MXGW_WORKER_PATH);
  return 69;
}
