// Reading Prometheus text line by line.

#include "tools/mxgwctl/metrics_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace mxgw::ctl {
namespace {

std::optional<double> parse_number(std::string_view text) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (text == "+Inf" || text == "Inf") return kInf;
  if (text == "-Inf") return -kInf;
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `{a="x",b="y"}` from `*at` (just past the '{') to just past the '}'.
bool parse_labels(std::string_view line, size_t* at, Metrics::Labels* labels) {
  size_t i = *at;
  while (true) {
    i = line.find_first_not_of(", ", i);
    if (i == std::string_view::npos) return false;
    if (line[i] == '}') break;
    const size_t equals = line.find('=', i);
    if (equals == std::string_view::npos || equals + 1 >= line.size() || line[equals + 1] != '"') return false;
    std::string name(line.substr(i, equals - i));
    std::string value;
    for (i = equals + 2; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        value += line[i] == 'n' ? '\n' : line[i];
      } else {
        value += line[i];
      }
    }
    if (i >= line.size()) return false;  // no closing quote
    ++i;
    (*labels)[std::move(name)] = std::move(value);
  }
  *at = i + 1;
  return true;
}

// `name[{labels}] value [timestamp]`.
bool parse_sample(std::string_view line, Metrics::Sample* sample) {
  size_t at = line.find_first_of("{ \t");
  if (at == 0 || at == std::string_view::npos) return false;
  sample->name = std::string(line.substr(0, at));
  if (line[at] == '{') {
    ++at;
    if (!parse_labels(line, &at, &sample->labels)) return false;
  }
  const size_t start = line.find_first_not_of(" \t", at);
  if (start == std::string_view::npos) return false;
  const size_t end = line.find_first_of(" \t", start);
  const std::optional<double> value =
      parse_number(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  if (!value) return false;
  sample->value = *value;
  return true;
}

}  // namespace

Metrics Metrics::parse(std::string_view text) {
  Metrics metrics;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    Sample sample;
    if (parse_sample(line, &sample)) metrics.samples_.push_back(std::move(sample));
  }
  return metrics;
}

std::optional<double> Metrics::value(std::string_view name, const Labels& labels) const {
  for (const Sample& s : samples_) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

std::optional<double> Metrics::sum(std::string_view name) const {
  std::optional<double> total;
  for (const Sample* s : samples(name)) total = total.value_or(0) + s->value;
  return total;
}

std::vector<const Metrics::Sample*> Metrics::samples(std::string_view name) const {
  std::vector<const Sample*> found;
  for (const Sample& s : samples_) {
    if (s.name == name) found.push_back(&s);
  }
  return found;
}

std::optional<double> Metrics::quantile(std::string_view name, double q) const {
  std::vector<std::pair<double, double>> buckets;  // upper bound, cumulative count
  for (const Sample* s : samples(std::string(name) + "_bucket")) {
    const auto le = s->labels.find("le");
    if (le == s->labels.end()) continue;
    if (const std::optional<double> bound = parse_number(le->second)) buckets.emplace_back(*bound, s->value);
  }
  std::sort(buckets.begin(), buckets.end());
  if (buckets.empty() || !std::isinf(buckets.back().first) || buckets.back().second <= 0) return std::nullopt;
  const double rank = q * buckets.back().second;
  double lower = 0, below = 0;
  for (const auto& [upper, cumulative] : buckets) {
    if (cumulative >= rank) {
      if (std::isinf(upper)) break;
      const double share = cumulative > below ? (rank - below) / (cumulative - below) : 0;
      return lower + (upper - lower) * share;
    }
    lower = upper;
    below = cumulative;
  }
  return lower;
}

}  // namespace mxgw::ctl
