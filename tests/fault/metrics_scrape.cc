// Parsing the Prometheus text the daemon serves, and its session accounts.

#include "tests/fault/metrics_scrape.h"

#include <cstdlib>
#include <sstream>

#include "tests/daemon/daemon_process.h"

namespace mxgw::testing {

MetricsScrape MetricsScrape::of(uint16_t admin_port) {
  MetricsScrape scrape;
  std::istringstream text(http_get(admin_port, "/metrics"));
  std::string line;
  while (std::getline(text, line)) {
    if (line.empty() || line[0] == '#') continue;
    // Label values in our families hold no spaces, so the value follows the last one.
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    scrape.samples_[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return scrape;
}

MetricsScrape MetricsScrape::since(const MetricsScrape& earlier) const {
  MetricsScrape change = *this;
  for (auto& [sample, value] : change.samples_) value -= earlier[sample];
  return change;
}

double MetricsScrape::operator[](const std::string& sample) const {
  const auto found = samples_.find(sample);
  return found == samples_.end() ? 0 : found->second;
}

double MetricsScrape::sum(std::string_view name) const {
  double total = 0;
  for (const auto& [sample, value] : samples_) {
    const std::string_view family = std::string_view(sample).substr(0, sample.find('{'));
    if (family == name) total += value;
  }
  return total;
}

bool MetricsScrape::balanced() const {
  const MetricsScrape& m = *this;
  return !empty() &&
         m["mxgw_sessions_registered_total"] == m["mxgw_sessions_open"] + m["mxgw_sessions_closed_total"] +
                                                    m["mxgw_sessions_expired_total"] + m["mxgw_sessions_killed_total"] +
                                                    sum("mxgw_sessions_faulted_total") &&
         m["mxgw_sessions_open"] == m["mxgw_sessions_in_registry"];
}

std::string MetricsScrape::accounts() const {
  const MetricsScrape& m = *this;
  std::ostringstream out;
  out << "registered " << m["mxgw_sessions_registered_total"] << ", open " << m["mxgw_sessions_open"] << ", "
      << endings() << "; in the registries " << m["mxgw_sessions_in_registry"];
  return out.str();
}

std::string MetricsScrape::endings() const {
  const MetricsScrape& m = *this;
  std::ostringstream out;
  out << "closed " << m["mxgw_sessions_closed_total"] << ", expired " << m["mxgw_sessions_expired_total"] << ", killed "
      << m["mxgw_sessions_killed_total"] << ", faulted " << sum("mxgw_sessions_faulted_total");
  constexpr std::string_view kByCode = "mxgw_sessions_faulted_total{code=\"";
  for (const auto& [sample, value] : samples_) {
    if (value == 0 || !sample.starts_with(kByCode)) continue;
    out << ", " << sample.substr(kByCode.size(), sample.size() - kByCode.size() - 2) << " " << value;
  }
  return out.str();
}

}  // namespace mxgw::testing
