// The daemon under test, its bystander, and the checks after every scenario.

#include "tests/fault/fault_fixture.h"

#include <signal.h>

#include <algorithm>

#include "tests/support/await.h"
#include "tests/support/process_census.h"
#include "tests/support/stream_counters.h"

namespace mxgw::testing {
namespace {

// How far the daemon's resident memory may stay above its level before the scenario
// once every session the scenario made has ended. The allocator keeps some of what
// was freed (mimalloc's segments), so this bounds growth rather than demanding the
// same page count; a leak per session, connection or request still shows. Under the
// sanitizers resident memory is mostly theirs (ASan's quarantine alone holds up to
// 256 MiB of freed blocks; TSan shadows every byte ever touched), so the bound there
// only catches runaway growth, and the ASan build's exact answer is LeakSanitizer at
// the daemon's exit.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kResidentSlackKib = 512 * 1024;
#else
constexpr size_t kResidentSlackKib = 48 * 1024;
#endif

bool mentions(const std::vector<std::string>& args, const std::string& flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

}  // namespace

void FaultFixture::TearDown() {
  if (daemon_->running()) {
    EXPECT_EQ(daemon_->stop(SIGTERM, std::chrono::seconds(60)), 0) << "the daemon did not exit cleanly:\n"
                                                                   << daemon_->log();
  }
  bystander_client_.reset();
  bystander_.reset();
  DaemonFixture::TearDown();
}

void FaultFixture::start(const std::vector<std::string>& extra) {
  std::vector<std::string> flags = {"--worker", MXGW_FAULT_WORKER_PATH};
  // Scenarios outlast the default lease; the one about leases sets its own.
  if (!mentions(extra, "--lease-ms")) flags.insert(flags.end(), {"--lease-ms", "3600000"});
  flags.insert(flags.end(), extra.begin(), extra.end());
  std::string error;
  ASSERT_TRUE(daemon_->start(flags, &error)) << error;

  bystander_client_ = connect(client_key_);
  ASSERT_TRUE(bystander_client_);
  bystander_session_ = open_streaming(*bystander_client_, 20, "10");
  ASSERT_FALSE(bystander_session_.empty());
  bystander_ = tap(*bystander_client_, bystander_session_);
  ASSERT_TRUE(bystander_);
  ASSERT_TRUE(eventually([&] { return bystander_->events() > 0; })) << "the bystander never streamed";
  bystander_worker_ = worker_of(*bystander_client_, bystander_session_);
  ASSERT_NE(bystander_worker_, 0);
  warm_every_shard();
  // Descriptors first: the admin port keeps a connection open a moment after its
  // answer (until the client's end arrives), which the count must not catch.
  baseline_descriptors_ = open_descriptors(daemon_->pid());
  baseline_resident_kib_ = resident_kib(daemon_->pid());
  baseline_metrics_ = scrape();
}

std::unique_ptr<client::GatewayClient> FaultFixture::connect(const std::string& key) {
  client::GatewayClient::Options options;
  options.api_key = key;
  options.client_name = "fault-test";
  Status error;
  auto c = client::GatewayClient::connect(daemon_->tcp_address(), options, &error);
  EXPECT_TRUE(error.is_ok()) << error.to_string();
  return c;
}

void FaultFixture::warm_every_shard() {
  // libuv opens a spare descriptor for a loop's first listener (its answer to EMFILE)
  // and keeps it: a shard's first worker socket would otherwise look like a leak.
  std::vector<bool> warmed(DaemonProcess::kShards);
  for (int attempt = 0; attempt < 64 && std::find(warmed.begin(), warmed.end(), false) != warmed.end(); ++attempt) {
    const auto opened = await(bystander_client_->open_session({}));
    ASSERT_TRUE(opened.ok()) << opened.status.to_string();
    for (const proto::SessionInfoT& s : await(bystander_client_->list_sessions()).value) warmed.at(s.shard) = true;
    ASSERT_TRUE(await(bystander_client_->close_session(opened.value.session_id)).ok());
  }
  ASSERT_EQ(std::find(warmed.begin(), warmed.end(), false), warmed.end()) << "a shard never got a session";
}

std::string FaultFixture::open_streaming(client::GatewayClient& c, int items, const std::string& rate_ms) {
  client::OpenSessionRequest request;
  request.backend_options = {{"tags", "Line:" + std::to_string(items)}, {"rate_ms", rate_ms}};
  const auto opened = await(c.open_session(request));
  EXPECT_TRUE(opened.ok()) << opened.status.to_string();
  if (!opened.ok()) return {};
  if (stream_counters(c, opened.value.session_id, items).size() != static_cast<size_t>(items)) return {};
  return opened.value.session_id;
}

std::unique_ptr<StreamTap> FaultFixture::tap(client::GatewayClient& c, const std::string& session_id) {
  auto subscribed = await(c.subscribe(session_id));
  EXPECT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  if (!subscribed.ok()) return nullptr;
  return std::make_unique<StreamTap>(std::move(subscribed.value.events));
}

int FaultFixture::worker_of(client::GatewayClient& c, const std::string& session_id) {
  const auto listed = await(c.list_sessions());
  for (const proto::SessionInfoT& s : listed.value) {
    if (s.session_id == session_id) return s.worker_pid;
  }
  return 0;
}

void FaultFixture::renew_bystander() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_renewal_ < std::chrono::milliseconds(100)) return;
  last_renewal_ = now;
  bystander_client_->renew_lease(bystander_session_, [](client::Result<client::LeaseRenewed>&&) {});
}

bool FaultFixture::settles(const std::function<bool()>& done) {
  return eventually([&] {
    renew_bystander();
    return done();
  });
}

void FaultFixture::expect_unharmed() {
  ASSERT_TRUE(daemon_->running()) << "the daemon died:\n" << daemon_->log();
  EXPECT_EQ(http_get(daemon_->admin_port(), "/healthz"), "ok");

  const uint64_t seen = bystander_->events();
  EXPECT_TRUE(settles([&] { return bystander_->events() > seen; })) << "the bystander stopped streaming";
  EXPECT_FALSE(bystander_->ended()) << "the bystander's stream ended: " << bystander_->last_reason();
  EXPECT_EQ(bystander_->breaks(), 0u) << "the bystander's sequence broke";

  MetricsScrape last;
  EXPECT_TRUE(settles([&] {
    last = scrape();
    return last.balanced();
  })) << last.accounts();

  const int pid = daemon_->pid();
  EXPECT_TRUE(settles([&] { return child_processes(pid) == std::vector<int>{bystander_worker_}; }))
      << child_processes(pid).size() << " worker processes, only the bystander's should be left";
  EXPECT_TRUE(settles([&] { return open_descriptors(pid) == baseline_descriptors_; }))
      << open_descriptors(pid) << " descriptors open, " << baseline_descriptors_ << " before the scenario";
  EXPECT_TRUE(settles([&] { return resident_kib(pid) < baseline_resident_kib_ + kResidentSlackKib; }))
      << "resident " << resident_kib(pid) << " KiB, " << baseline_resident_kib_ << " KiB before the scenario";
}

}  // namespace mxgw::testing
