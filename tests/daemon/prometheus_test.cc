// Proves that the metrics text is valid Prometheus exposition format 0.0.4 (checked
// line by line here, and by `promtool check metrics` when promtool is installed), that
// every engine family is present with its values, that histograms are cumulative in
// seconds, and that the daemon's samples are grouped into families.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mxgw/prometheus.h"

namespace mxgw::daemon {
namespace {

bool name_char(char c, bool first, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
         (!first && c >= '0' && c <= '9');
}

// The metric name at the front of `text` ([a-zA-Z_:][a-zA-Z0-9_:]*), possibly empty.
std::string take_name(std::string_view& text, bool colon = true) {
  size_t n = 0;
  while (n < text.size() && name_char(text[n], n == 0, colon)) ++n;
  std::string name(text.substr(0, n));
  text.remove_prefix(n);
  return name;
}

bool valid_value(const std::string& token) {
  if (token == "+Inf" || token == "-Inf" || token == "NaN") return true;
  if (token.empty()) return false;
  char* end = nullptr;
  std::strtod(token.c_str(), &end);
  return end == token.c_str() + token.size() && token.find_first_of("iInN") == std::string::npos;
}

// Reads `{name="value",...}` from the front of `text` into `labels`; false on a syntax
// error. Values may escape only backslash, double quote and newline.
bool take_labels(std::string_view& text, std::map<std::string, std::string>* labels, bool* repeated) {
  text.remove_prefix(1);  // '{'
  while (!text.empty() && text.front() != '}') {
    const std::string name = take_name(text, false);
    if (name.empty() || text.size() < 2 || text[0] != '=' || text[1] != '"') return false;
    text.remove_prefix(2);
    std::string value;
    while (!text.empty() && text.front() != '"') {
      if (text.front() == '\\') {
        if (text.size() < 2 || std::string_view("\\\"n").find(text[1]) == std::string_view::npos) return false;
        value += text.substr(0, 2);
        text.remove_prefix(2);
      } else {
        value += text.front();
        text.remove_prefix(1);
      }
    }
    if (text.empty()) return false;
    text.remove_prefix(1);  // closing quote
    if (!labels->emplace(name, value).second) *repeated = true;
    if (!text.empty() && text.front() == ',')
      text.remove_prefix(1);
    else if (text.empty() || text.front() != '}')
      return false;
  }
  if (text.empty()) return false;
  text.remove_prefix(1);  // '}'
  return true;
}

// A strict reader of the exposition format, enough to catch what would make a scrape
// fail or mislead: returns the problems found, each naming its line.
std::vector<std::string> exposition_problems(const std::string& text) {
  static const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary", "untyped"};
  std::vector<std::string> problems;
  std::set<std::string> typed, helped, series;
  std::string family, family_type;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  if (text.empty() || text.back() != '\n') problems.push_back("the text must end with a newline");
  while (std::getline(lines, line)) {
    ++number;
    const std::string at = "line " + std::to_string(number) + " '" + line + "': ";
    std::string_view rest = line;
    if (rest.starts_with("# HELP ") || rest.starts_with("# TYPE ")) {
      const bool help = rest.starts_with("# HELP ");
      rest.remove_prefix(7);
      const std::string name = take_name(rest);
      if (name.empty() || !rest.starts_with(" ")) {
        problems.push_back(at + "bad family name");
        continue;
      }
      rest.remove_prefix(1);
      if (help) {
        if (!helped.insert(name).second) problems.push_back(at + "second HELP for the family");
        if (typed.count(name)) problems.push_back(at + "HELP after the family's TYPE");
        continue;
      }
      if (!kTypes.count(std::string(rest))) problems.push_back(at + "unknown type");
      if (!typed.insert(name).second) problems.push_back(at + "second TYPE for the family");
      family = name;
      family_type = rest;
      continue;
    }
    if (rest.starts_with("#")) {
      problems.push_back(at + "a comment that is neither HELP nor TYPE");
      continue;
    }
    const std::string name = take_name(rest);
    std::map<std::string, std::string> labels;
    bool repeated = false;
    if (name.empty() || (rest.starts_with("{") && !take_labels(rest, &labels, &repeated)) || !rest.starts_with(" ")) {
      problems.push_back(at + "not a sample (name, labels, one space, value)");
      continue;
    }
    if (repeated) problems.push_back(at + "label repeated");
    if (!valid_value(std::string(rest.substr(1)))) problems.push_back(at + "bad value");
    bool belongs = name == family;
    if (family_type == "histogram") {
      belongs = name == family + "_bucket" || name == family + "_sum" || name == family + "_count";
    }
    if (!belongs) problems.push_back(at + "sample not preceded by its family's TYPE");
    std::string key = name;
    for (const auto& [label, value] : labels) key += "|" + label + "=" + value;
    if (!series.insert(key).second) problems.push_back(at + "duplicate series");
  }
  return problems;
}

// The value of the one sample written exactly as `series` (name and labels).
double value_of(const std::string& text, const std::string& series) {
  const std::string head = "\n" + series + " ";
  const size_t at = ("\n" + text).find(head);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no sample " << series;
    return -1;
  }
  return std::strtod(text.c_str() + at + head.size() - 1, nullptr);
}

bool promtool_present() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

// promtool's exit status and output for `text`.
std::pair<int, std::string> promtool_check(const std::string& text) {
  char path[] = "/tmp/mxgw-metrics-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  FILE* file = ::fdopen(fd, "w");
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  const std::string command = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  char buffer[512];
  while (size_t got = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, got);
  const int status = ::pclose(pipe);
  ::unlink(path);
  return {status, output};
}

engine::MetricsSnapshot filled() {
  engine::EngineMetrics shared;
  for (uint64_t ns : std::initializer_list<uint64_t>{50'000, 300'000, 2'000'000, 20'000'000'000}) {
    shared.open_latency_ns.record(ns);
  }
  shared.command_latency_ns.record(900);
  engine::MetricsSnapshot m = shared.snapshot();
  m.sessions_open = 3;
  m.registered = 12;
  m.opened = 10;
  m.refused = 4;
  m.closed = 5;
  m.expired = 1;
  m.killed = 1;
  m.faulted[static_cast<size_t>(ErrorCode::OpenFailed)] = 2;
  m.commands = 1000;
  m.events_in = 123456789;
  m.frames_in = 4321;
  m.events_routed = 5000;
  m.events_out = 4000;
  m.dropped_events = 500;
  m.conflated_events = 300;
  m.abandoned_events = 150;
  m.pending_events = 50;
  m.events_replayed = 77;
  m.subscribers = 6;
  return m;
}

std::vector<Gauge> daemon_gauges() {
  return {
      {"mxgw_client_connections", "Client connections open now.", {{"listener", "tcp"}}, 7, false},
      {"mxgw_subscriber_drops_total", "Events dropped for slow subscribers.", {{"policy", "drop-oldest"}}, 5, true},
      {"mxgw_client_connections", "ignored: the first sample's help wins", {{"listener", "unix"}}, 2, false},
      {"mxgw_odd_labels", "Label values \\ with \"quotes\"\nand lines.", {{"v", "a\"b\\c\nd"}}, 1.5, false},
      {"mxgw_bad-name", "A name with a character Prometheus does not allow.", {}, 0, false},
  };
}

TEST(PrometheusText, IsValidExpositionFormat) {
  const engine::MetricsSnapshot m = filled();
  const std::vector<Gauge> extra = daemon_gauges();
  const std::string text = render_metrics(m, extra);
  const std::vector<std::string> problems = exposition_problems(text);
  for (const std::string& problem : problems) ADD_FAILURE() << problem;
  EXPECT_TRUE(problems.empty()) << text;

  const engine::MetricsSnapshot quiet;
  EXPECT_TRUE(exposition_problems(render_metrics(quiet, {})).empty());
}

// The checker itself must refuse what a scrape would refuse.
TEST(PrometheusText, CheckerRefusesBrokenText) {
  const std::string broken[] = {
      "x 1\n",                                         // no TYPE
      "# TYPE x gauge\nx 1",                           // no final newline
      "# TYPE x gauge\ny 1\n",                         // another family's sample
      "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",  // duplicate series
      "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",        // repeated label
      "# TYPE x gauge\nx{a=1} 1\n",                    // unquoted label value
      "# TYPE x gauge\nx{a=\"\\q\"} 1\n",              // bad escape
      "# TYPE x gauge\nx{1a=\"1\"} 1\n",               // bad label name
      "# TYPE x gauge\nx one\n",                       // bad value
      "# TYPE 1x gauge\n",                             // bad name
      "# TYPE x gauge\n# TYPE x gauge\n",              // second TYPE
      "# TYPE x gauge\n# HELP x late\n",               // HELP after TYPE
      "# TYPE x meter\n",                              // unknown type
      "# TYPE x histogram\nx_total 1\n",               // not a histogram series
  };
  for (const std::string& text : broken) EXPECT_FALSE(exposition_problems(text).empty()) << text;
  EXPECT_TRUE(exposition_problems("# HELP x X.\n# TYPE x histogram\nx_bucket{le=\"+Inf\"} 1\nx_sum 0.5\n"
                                  "x_count 1\n")
                  .empty());
}

TEST(PrometheusText, PromtoolAccepts) {
  if (!promtool_present()) GTEST_SKIP() << "promtool is not on PATH (Debian package prometheus)";
  const engine::MetricsSnapshot m = filled();
  const std::vector<Gauge> extra = daemon_gauges();
  const auto [status, output] = promtool_check(render_metrics(m, extra));
  EXPECT_EQ(status, 0) << output;
  const engine::MetricsSnapshot quiet;
  const auto [quiet_status, quiet_output] = promtool_check(render_metrics(quiet, {}));
  EXPECT_EQ(quiet_status, 0) << quiet_output;
}

TEST(PrometheusText, EngineFamiliesCarryTheirValues) {
  const engine::MetricsSnapshot m = filled();
  const std::string text = render_metrics(m, {});
  EXPECT_EQ(value_of(text, "mxgw_sessions_open"), 3);
  EXPECT_EQ(value_of(text, "mxgw_sessions_registered_total"), 12);
  EXPECT_EQ(value_of(text, "mxgw_sessions_opened_total"), 10);
  EXPECT_EQ(value_of(text, "mxgw_sessions_refused_total"), 4);
  EXPECT_EQ(value_of(text, "mxgw_sessions_closed_total"), 5);
  EXPECT_EQ(value_of(text, "mxgw_sessions_expired_total"), 1);
  EXPECT_EQ(value_of(text, "mxgw_sessions_killed_total"), 1);
  EXPECT_EQ(value_of(text, "mxgw_commands_total"), 1000);
  EXPECT_EQ(value_of(text, "mxgw_events_in_total"), 123456789);
  EXPECT_EQ(value_of(text, "mxgw_frames_in_total"), 4321);
  EXPECT_EQ(value_of(text, "mxgw_events_routed_total"), 5000);
  EXPECT_EQ(value_of(text, "mxgw_events_out_total"), 4000);
  EXPECT_EQ(value_of(text, "mxgw_events_not_delivered_total{policy=\"drop-oldest\"}"), 500);
  EXPECT_EQ(value_of(text, "mxgw_events_not_delivered_total{policy=\"conflate\"}"), 300);
  EXPECT_EQ(value_of(text, "mxgw_events_abandoned_total"), 150);
  EXPECT_EQ(value_of(text, "mxgw_events_pending"), 50);
  EXPECT_EQ(value_of(text, "mxgw_events_replayed_total"), 77);
  EXPECT_EQ(value_of(text, "mxgw_subscribers"), 6);
  EXPECT_NE(text.find("# TYPE mxgw_events_pending gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE mxgw_sessions_open gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE mxgw_commands_total counter\n"), std::string::npos);

  // One series per error code, all present, so the family keeps its shape.
  double faulted_sum = 0;
  for (size_t code = 0; code < engine::kErrorCodes; ++code) {
    const std::string name(error_code_name(static_cast<ErrorCode>(code)));
    faulted_sum += value_of(text, "mxgw_sessions_faulted_total{code=\"" + name + "\"}");
  }
  EXPECT_EQ(value_of(text, "mxgw_sessions_faulted_total{code=\"OpenFailed\"}"), 2);
  EXPECT_EQ(faulted_sum, static_cast<double>(m.faulted_total()));
}

TEST(PrometheusText, HistogramsAreCumulativeInSeconds) {
  const engine::MetricsSnapshot m = filled();
  const std::string text = render_metrics(m, {});
  const std::string bucket = "mxgw_session_open_duration_seconds_bucket";
  EXPECT_NE(text.find("# TYPE mxgw_session_open_duration_seconds histogram\n"), std::string::npos);
  EXPECT_EQ(value_of(text, bucket + "{le=\"0.0001\"}"), 1);  // 50 µs
  EXPECT_EQ(value_of(text, bucket + "{le=\"0.00025\"}"), 1);
  EXPECT_EQ(value_of(text, bucket + "{le=\"0.0005\"}"), 2);  // 300 µs
  EXPECT_EQ(value_of(text, bucket + "{le=\"0.0025\"}"), 3);  // 2 ms
  EXPECT_EQ(value_of(text, bucket + "{le=\"10\"}"), 3);
  EXPECT_EQ(value_of(text, bucket + "{le=\"+Inf\"}"), 4);  // 20 s
  EXPECT_EQ(value_of(text, "mxgw_session_open_duration_seconds_count"), 4);
  // The sum is approximate: each value counts as the middle of its engine bucket.
  EXPECT_NEAR(value_of(text, "mxgw_session_open_duration_seconds_sum"), 20.00235, 20.00235 * 0.0625);
  EXPECT_EQ(value_of(text, "mxgw_command_duration_seconds_bucket{le=\"0.0001\"}"), 1);
  EXPECT_EQ(value_of(text, "mxgw_command_duration_seconds_count"), 1);

  const engine::MetricsSnapshot quiet;
  const std::string empty = render_metrics(quiet, {});
  EXPECT_EQ(value_of(empty, bucket + "{le=\"+Inf\"}"), 0);
  EXPECT_EQ(value_of(empty, "mxgw_session_open_duration_seconds_sum"), 0);
}

TEST(PrometheusText, DaemonSamplesAreGroupedIntoFamilies) {
  const engine::MetricsSnapshot m;
  const std::vector<Gauge> extra = daemon_gauges();
  const std::string text = render_metrics(m, extra);
  const std::string family =
      "# HELP mxgw_client_connections Client connections open now.\n"
      "# TYPE mxgw_client_connections gauge\n"
      "mxgw_client_connections{listener=\"tcp\"} 7\n"
      "mxgw_client_connections{listener=\"unix\"} 2\n";
  EXPECT_NE(text.find(family), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE mxgw_subscriber_drops_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("mxgw_odd_labels{v=\"a\\\"b\\\\c\\nd\"} 1.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP mxgw_odd_labels Label values \\\\ with \"quotes\"\\nand lines.\n"), std::string::npos);
  EXPECT_NE(text.find("\nmxgw_bad_name 0\n"), std::string::npos);
}

}  // namespace
}  // namespace mxgw::daemon
