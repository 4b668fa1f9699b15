// The watch loop: read, compare with the previous reading, draw, wait.

#include "tools/mxgwctl/watch.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <mxgw/clock.h>

#include "tools/mxgwctl/daemon_state.h"
#include "tools/mxgwctl/session_view.h"

namespace mxgw::ctl {
namespace {

// What one refresh read, kept for the next one's rates.
struct Reading {
  int64_t steady_ns = 0;
  std::vector<KeyNumber> numbers;
  nlohmann::json sessions;
};

std::string id_of(const nlohmann::json& session) {
  const auto found = session.find("session_id");
  return found != session.end() && found->is_string() ? found->get<std::string>() : std::string();
}

double counter(const nlohmann::json& session, const char* field) {
  const auto found = session.find(field);
  return found != session.end() && found->is_number() ? found->get<double>() : 0;
}

// A counter that went down (the daemon restarted) gives no negative rate.
double per_second(double now, double before, int64_t elapsed_ns) {
  return elapsed_ns > 0 ? std::max(0.0, now - before) * 1e9 / static_cast<double>(elapsed_ns) : 0;
}

std::optional<double> total_rate(const Reading& now, const Reading* before, std::initializer_list<const char*> keys) {
  if (!before) return std::nullopt;
  double current = 0, previous = 0;
  for (const char* key : keys) {
    const std::optional<double> a = find_key_number(now.numbers, key), b = find_key_number(before->numbers, key);
    if (!a || !b) return std::nullopt;
    current += *a;
    previous += *b;
  }
  return per_second(current, previous, now.steady_ns - before->steady_ns);
}

SessionRates session_rates(const Reading& now, const Reading& before) {
  std::unordered_map<std::string, const nlohmann::json*> previous;
  for (const nlohmann::json& s : before.sessions) previous[id_of(s)] = &s;
  SessionRates rates;
  const int64_t elapsed = now.steady_ns - before.steady_ns;
  for (const nlohmann::json& s : now.sessions) {
    const std::string id = id_of(s);
    const auto found = previous.find(id);
    if (found == previous.end()) continue;
    rates[id] = {per_second(counter(s, "events_in"), counter(*found->second, "events_in"), elapsed),
                 per_second(counter(s, "events_out"), counter(*found->second, "events_out"), elapsed)};
  }
  return rates;
}

std::string block(const AdminClient& admin, const WatchOptions& options, uint64_t refresh, const Reading& now,
                  const Reading* before) {
  const auto gauge = [&now](const char* label, const char* key) {
    return std::string(label) + " " + format_key_number({key, label, find_key_number(now.numbers, key)});
  };
  const auto rate = [&](const char* label, std::initializer_list<const char*> keys) {
    const std::optional<double> r = total_rate(now, before, keys);
    return std::string(label) + " " + (r ? format_rate(*r) : "-");
  };
  std::string out = "mxgw at " + admin.address() + ", refresh " + std::to_string(refresh) +
                    (options.count ? " of " + std::to_string(options.count) : "") + ", every " +
                    std::to_string(options.interval_ms) + " ms\n";
  out += gauge("sessions open", "sessions_open") + "   " + gauge("subscribers", "subscribers") + "   " +
         gauge("client connections", "connections_open") + "\n";
  out += rate("events in/s", {"events_in"}) + "   " + rate("events out/s", {"events_out"}) + "   " +
         rate("not delivered/s", {"events_dropped", "events_conflated"}) + "\n\n";
  const SessionRates rates = before ? session_rates(now, *before) : SessionRates{};
  return out + session_table(now.sessions, wall_clock_ns(), &rates);
}

}  // namespace

Outcome watch(AdminClient& admin, const WatchOptions& options) {
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  std::optional<Reading> before;
  for (uint64_t refresh = 1; options.count == 0 || refresh <= options.count; ++refresh) {
    if (refresh > 1) std::this_thread::sleep_for(std::chrono::milliseconds(options.interval_ms));
    Reading now;
    if (Outcome o = fetch_key_numbers(admin, &now.numbers); !o.ok()) return o;
    if (Outcome o = fetch_sessions(admin, &now.sessions); !o.ok()) return o;
    now.steady_ns = steady_clock_ns();
    // A terminal gets the screen redrawn from its top; a file, blocks a blank line apart.
    std::string text = terminal ? "\x1b[H\x1b[2J" : refresh > 1 ? "\n" : "";
    text += block(admin, options, refresh, now, before ? &*before : nullptr);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    before = std::move(now);
  }
  return {};
}

}  // namespace mxgw::ctl
