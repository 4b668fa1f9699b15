// LeaseKeeper: renews the leases of the sessions a client opened, so that a program
// using libmxgw never loses a session to lease expiry while it holds the handle.
// One thread per client wakes every third of the lease and renews every session
// still registered; renewals are asynchronous and never block the thread.
//
// Thread safety: add(), remove(), ids() and stop() from any thread.

#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mxgw::capi {

class LeaseKeeper {
 public:
  using Renew = std::function<void(const std::string& session_id)>;

  explicit LeaseKeeper(Renew renew) : renew_(std::move(renew)) {}
  ~LeaseKeeper() { stop(); }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Keeps `session_id` alive; the renewal period follows the shortest lease seen
  // (a lease of 0 means the session has none: it is only listed, for ids()).
  void add(const std::string& session_id, uint64_t lease_ms);
  void remove(const std::string& session_id);
  std::vector<std::string> ids() const;
  // Ends the thread; idempotent.
  void stop();

 private:
  void run();

  const Renew renew_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::string> sessions_;
  uint64_t period_ms_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mxgw::capi
