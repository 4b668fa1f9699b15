// The fault-injection tests' fixture: the real `mxgw serve` as a child process,
// pointed at mxgw-fault-worker (the real worker, plus misbehaving `fault-<mode>`
// backends), and a bystander session opened before the fault: streaming, subscribed
// and consumed.
//
// After every scenario a test calls expect_unharmed(), which checks what the issue
// promises after any fault: the daemon runs and /healthz answers; the bystander still
// streams, without a break in its sequence; the metrics balance (every ending counted
// once, mxgw_sessions_open equal to the registries' size); no worker process is left
// but the bystander's; the daemon holds as many descriptors as before the scenario;
// its resident memory is back near where it was. TearDown then stops the daemon with
// SIGTERM and expects exit code 0 (under ASan that exit runs LeakSanitizer, whose
// report would fail it).

#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/client/gateway_client.h"
#include "tests/daemon/daemon_fixture.h"
#include "tests/fault/metrics_scrape.h"
#include "tests/fault/stream_tap.h"
#include "tests/support/eventually.h"

namespace mxgw::testing {

class FaultFixture : public DaemonFixture {
 protected:
  void TearDown() override;

  // Starts the daemon with `extra` flags (a long lease unless they set one) and the
  // bystander, has a session run on every shard, then takes the baselines.
  void start(const std::vector<std::string>& extra = {});

  std::unique_ptr<client::GatewayClient> connect(const std::string& key);
  // Opens and closes sessions until every shard has served one, so that what a
  // loop sets up once, on its first session, is in place before the baselines.
  void warm_every_shard();
  // Opens a sim session whose `items` Line counters change every `rate_ms`, all
  // advised; its id, or empty if the open failed.
  std::string open_streaming(client::GatewayClient& c, int items, const std::string& rate_ms);
  // Subscribes (lossless) and consumes the stream on a tap; nullptr on failure.
  std::unique_ptr<StreamTap> tap(client::GatewayClient& c, const std::string& session_id);
  // The worker serving `session_id`, as the session list reports it; 0 if unknown.
  int worker_of(client::GatewayClient& c, const std::string& session_id);
  // Renews the bystander's lease, without waiting for the answer, at most every
  // 100 ms however often it is called (for tests that run with a short lease).
  void renew_bystander();

  MetricsScrape scrape() const { return MetricsScrape::of(daemon_->admin_port()); }
  // What the metrics counted since the scenario began.
  MetricsScrape counted() const { return scrape().since(baseline_metrics_); }

  // The checks after every scenario (see the top of this file).
  void expect_unharmed();
  // eventually(), keeping the bystander's lease renewed while it waits.
  bool settles(const std::function<bool()>& done);

  std::unique_ptr<client::GatewayClient> bystander_client_;
  std::string bystander_session_;
  std::unique_ptr<StreamTap> bystander_;
  int bystander_worker_ = 0;
  MetricsScrape baseline_metrics_;
  size_t baseline_descriptors_ = 0;
  size_t baseline_resident_kib_ = 0;
  std::chrono::steady_clock::time_point last_renewal_{};
};

}  // namespace mxgw::testing
