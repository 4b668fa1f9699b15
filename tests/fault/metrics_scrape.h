// MetricsScrape: one read of the daemon's /metrics, sample by sample, and the
// accounting DESIGN.md promises, checked from outside the process:
//   registered == open + closed + expired + killed + faulted (every code)
//   open == the number of sessions in the shards' registries.
//
// Thread safety: a value type.

#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace mxgw::testing {

class MetricsScrape {
 public:
  // GET /metrics on 127.0.0.1:admin_port; empty if the daemon did not answer.
  static MetricsScrape of(uint16_t admin_port);

  bool empty() const noexcept { return samples_.empty(); }
  // What changed since `earlier`: every sample of this scrape less its value there.
  MetricsScrape since(const MetricsScrape& earlier) const;
  // A sample by its full name, labels included (`mxgw_sessions_faulted_total{code="OpenFailed"}`);
  // 0 if it is absent.
  double operator[](const std::string& sample) const;
  // Every sample of the family `name` added up.
  double sum(std::string_view name) const;

  bool balanced() const;
  // The numbers balanced() compares, for a failure message.
  std::string accounts() const;
  // How sessions ended, every way of ending named: "closed 1, expired 0, killed 0,
  // faulted 2", then each fault code with a count, e.g. ", OpenFailed 2".
  std::string endings() const;

 private:
  std::map<std::string, double, std::less<>> samples_;
};

}  // namespace mxgw::testing
