// Metrics: the samples of a Prometheus text exposition (format 0.0.4, the body of the
// daemon's GET /metrics), looked up by name and labels, summed over a family, and
// turned into quantiles from a histogram's buckets.
//
// Thread safety: a value type; const methods may run on many threads at once.

#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxgw::ctl {

class Metrics {
 public:
  using Labels = std::map<std::string, std::string, std::less<>>;

  struct Sample {
    std::string name;
    Labels labels;
    double value = 0;
  };

  // Comment lines are skipped, and so is any line this reader cannot read: a newer
  // daemon may add what it does not know, and the rest still counts.
  static Metrics parse(std::string_view text);

  // The sample of `name` with exactly `labels`.
  std::optional<double> value(std::string_view name, const Labels& labels = {}) const;
  // Every sample of `name`, whatever its labels, summed; nullopt when there is none.
  std::optional<double> sum(std::string_view name) const;
  // The samples of `name`, in the order of the text.
  std::vector<const Sample*> samples(std::string_view name) const;
  // The q-quantile (0 <= q <= 1) of histogram `name` from its `name`_bucket series,
  // interpolated linearly inside the bucket it falls in, as PromQL's
  // histogram_quantile() does (and like it, never above the highest finite bound);
  // nullopt when the histogram is absent or has no observations.
  std::optional<double> quantile(std::string_view name, double q) const;

 private:
  std::vector<Sample> samples_;
};

}  // namespace mxgw::ctl
