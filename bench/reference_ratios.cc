// Console reporting plus mxgw-to-reference ratios.

#include "bench/reference_ratios.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <vector>

namespace mxgw::bench {
namespace {

// The console's table, and each row's real time per iteration kept for the ratios.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  // Colours for a terminal only, as Google Benchmark's own console does by default.
  RecordingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (!run.error_occurred) real_times[run.benchmark_name()] = run.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }

  std::map<std::string, double> real_times;
};

}  // namespace

int run_with_reference_ratios(int* argc, char** argv, const std::string& ours, const std::string& reference) {
  benchmark::Initialize(argc, argv);
  if (benchmark::ReportUnrecognizedArguments(*argc, argv)) return 1;
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  bool header = false;
  for (const auto& [name, time] : reporter.real_times) {
    if (name.rfind(ours, 0) != 0) continue;
    const auto twin = reporter.real_times.find(reference + name.substr(ours.size()));
    if (twin == reporter.real_times.end() || twin->second <= 0) continue;
    if (!header) {
      std::printf("\n%s against %s, real time per iteration (below 1: %s is faster)\n", ours.c_str(), reference.c_str(),
                  ours.c_str());
      header = true;
    }
    std::printf("  %-48s %6.2fx\n", name.c_str(), time / twin->second);
  }
  return 0;
}

}  // namespace mxgw::bench
