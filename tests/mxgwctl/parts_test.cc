// mxgwctl's parts on their own: reading Prometheus text (labels, escapes, special
// values, lines it cannot read), quantiles from histogram buckets against values
// worked out by hand, the key numbers picked from a scrape, and durations.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/mxgwctl/key_numbers.h"
#include "tools/mxgwctl/metrics_text.h"
#include "tools/mxgwctl/session_view.h"

namespace mxgw::ctl {
namespace {

TEST(MetricsText, ReadsSamplesLabelsAndSpecialValues) {
  const Metrics m = Metrics::parse(
      "# HELP mxgw_up Up.\n"
      "# TYPE mxgw_up gauge\n"
      "mxgw_up 1\n"
      "mxgw_bytes_total{direction=\"in\"} 10 1700000000000\n"
      "mxgw_bytes_total{direction=\"out\",note=\"a \\\"quoted\\\", \\\\ and\\nnew line\"} 32.5\n"
      "mxgw_weird +Inf\n"
      "mxgw_unknown NaN\n"
      "this line is not a sample\n"
      "mxgw_unclosed{direction=\"in} 3\n"
      "\n");
  EXPECT_EQ(m.value("mxgw_up"), 1);
  EXPECT_EQ(m.value("mxgw_bytes_total", {{"direction", "in"}}), 10) << "a timestamp is not the value";
  EXPECT_EQ(m.value("mxgw_bytes_total", {{"direction", "out"}, {"note", "a \"quoted\", \\ and\nnew line"}}), 32.5);
  EXPECT_EQ(m.value("mxgw_bytes_total"), std::nullopt) << "labels must match exactly";
  EXPECT_EQ(m.sum("mxgw_bytes_total"), 42.5);
  EXPECT_TRUE(std::isinf(*m.value("mxgw_weird")));
  EXPECT_TRUE(std::isnan(*m.value("mxgw_unknown")));
  EXPECT_EQ(m.sum("mxgw_unclosed"), std::nullopt);
  EXPECT_EQ(m.samples("this").size(), 0u);
}

TEST(MetricsText, QuantilesInterpolateInsideTheirBucket) {
  // 10 observations up to 1 s, 20 more up to 2 s, 10 above.
  const Metrics m = Metrics::parse(
      "latency_seconds_bucket{le=\"1\"} 10\n"
      "latency_seconds_bucket{le=\"+Inf\"} 40\n"
      "latency_seconds_bucket{le=\"2\"} 30\n"
      "latency_seconds_sum 55\n"
      "latency_seconds_count 40\n"
      "idle_seconds_bucket{le=\"1\"} 0\n"
      "idle_seconds_bucket{le=\"+Inf\"} 0\n");
  EXPECT_DOUBLE_EQ(*m.quantile("latency_seconds", 0.1), 0.4);  // rank 4 of the first 10, from 0
  EXPECT_DOUBLE_EQ(*m.quantile("latency_seconds", 0.5), 1.5);  // rank 20: half way through (1, 2]
  EXPECT_DOUBLE_EQ(*m.quantile("latency_seconds", 0.75), 2);
  EXPECT_DOUBLE_EQ(*m.quantile("latency_seconds", 0.99), 2) << "never above the highest finite bound";
  EXPECT_EQ(m.quantile("idle_seconds", 0.5), std::nullopt) << "no observations";
  EXPECT_EQ(m.quantile("absent_seconds", 0.5), std::nullopt);
}

TEST(KeyNumbers, PickedFromTheDaemonsNames) {
  const std::vector<KeyNumber> numbers =
      key_numbers(Metrics::parse("mxgw_sessions_open 3\n"
                                 "mxgw_sessions_killed_total 2\n"
                                 "mxgw_sessions_faulted_total{code=\"None\"} 0\n"
                                 "mxgw_sessions_faulted_total{code=\"SessionFaulted\"} 4\n"
                                 "mxgw_sessions_faulted_total{code=\"OpenFailed\"} 1\n"
                                 "mxgw_events_not_delivered_total{policy=\"drop-oldest\"} 7\n"
                                 "mxgw_events_not_delivered_total{policy=\"conflate\"} 8\n"));
  EXPECT_EQ(find_key_number(numbers, "sessions_open"), 3);
  EXPECT_EQ(find_key_number(numbers, "sessions_killed"), 2);
  EXPECT_EQ(find_key_number(numbers, "sessions_faulted"), 5);
  EXPECT_EQ(find_key_number(numbers, "sessions_faulted_SessionFaulted"), 4);
  EXPECT_EQ(find_key_number(numbers, "sessions_faulted_None"), std::nullopt) << "a code never seen is no row";
  EXPECT_EQ(find_key_number(numbers, "events_dropped"), 7);
  EXPECT_EQ(find_key_number(numbers, "events_conflated"), 8);
  EXPECT_EQ(find_key_number(numbers, "events_in"), std::nullopt) << "not in this scrape";

  const nlohmann::json json = nlohmann::json::parse(key_numbers_json(numbers));
  EXPECT_EQ(json["sessions_open"], 3);
  EXPECT_TRUE(json["events_in"].is_null());
  EXPECT_TRUE(json["open_latency_p50_ms"].is_null());
  const std::string table = key_numbers_table(numbers);
  const size_t row = table.find("  faulted with SessionFaulted ");
  ASSERT_NE(row, std::string::npos) << table;
  const std::string line = table.substr(row, table.find('\n', row) - row);
  EXPECT_TRUE(line.ends_with(" 4")) << line;
}

TEST(SessionView, DurationsInTheirTwoLargestUnits) {
  constexpr int64_t kSecond = 1'000'000'000;
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(59 * kSecond + kSecond / 2), "59s");
  EXPECT_EQ(format_duration(187 * kSecond), "3m07s");
  EXPECT_EQ(format_duration((5 * 3600 + 2 * 60 + 9) * kSecond), "5h02m");
  EXPECT_EQ(format_duration((12 * 86400 + 3 * 3600) * kSecond), "12d03h");
}

}  // namespace
}  // namespace mxgw::ctl
