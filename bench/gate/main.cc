// bench_gate: the cases of the deterministic benchmark regression gate, each a
// single-threaded body with a fixed iteration count whose instructions callgrind
// counts (tools/perf-gate.sh runs one valgrind process per case and compares the
// counts with bench/gate-baseline.json).
//
//   bench_gate --list        each case: name, then what one op is
//   bench_gate --case NAME   runs it; prints ops, events and bytes copied
//   bench_gate --compiler    the compiler that built this binary
//
// Outside valgrind a case runs all the same, which is how to debug one.

#include <cstdio>
#include <cstring>

#include "bench/gate/cases.h"

namespace {

using mxgw::gate::Meter;

struct Case {
  const char* name;
  const char* unit;  // what one op is
  void (*run)(Meter&);
};

constexpr Case kCases[] = {
    {"ring", "frame ref in and out", mxgw::gate::ring},       {"decoder", "5 KiB frame", mxgw::gate::decoder},
    {"verifier", "event batch", mxgw::gate::verifier},        {"route/1", "routing step", mxgw::gate::route_1},
    {"route/8", "routing step", mxgw::gate::route_8},         {"route/64", "routing step", mxgw::gate::route_64},
    {"sim_generator", "change", mxgw::gate::sim_generator},   {"capi/version", "call", mxgw::gate::capi_version},
    {"capi/poll_empty", "call", mxgw::gate::capi_poll_empty},
};

int usage() {
  std::fprintf(stderr, "usage: bench_gate --list | --case NAME | --compiler\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Case& c : kCases) std::printf("%s\t%s\n", c.name, c.unit);
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--compiler") == 0) {
#ifdef __clang__
    std::printf("clang %s\n", __clang_version__);
#else
    std::printf("GCC %s\n", __VERSION__);
#endif
    return 0;
  }
  if (argc != 3 || std::strcmp(argv[1], "--case") != 0) return usage();
  for (const Case& c : kCases) {
    if (std::strcmp(c.name, argv[2]) != 0) continue;
    Meter meter;
    c.run(meter);
    return 0;
  }
  std::fprintf(stderr, "bench_gate: no case named '%s'\n", argv[2]);
  return 2;
}
