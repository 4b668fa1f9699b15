// AdminClient: requests to the admin HTTP port of a running `mxgw serve` (the routes
// are in tools/mxgw/admin_http.h), made with libcurl. The admin key goes as
// "Authorization: Bearer <key>"; each request is bounded by one timeout; the daemon's
// error answers ({"error": …, "message": …}) become Outcomes carrying mxgwctl's exit
// codes. One connection is kept between requests, so `watch` does not reconnect.
//
// Thread safety: none; one thread uses an AdminClient. curl_global_init must have
// run before the first one is made (main does it).

#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "tools/mxgwctl/outcome.h"

namespace mxgw::ctl {

class AdminClient {
 public:
  // `address` is host:port or [v6]:port; `key` may be empty for the routes that need
  // none (/healthz, /metrics). A bad address is a Usage outcome.
  static Outcome make(const std::string& address, std::string key, uint32_t timeout_ms,
                      std::unique_ptr<AdminClient>* client);

  ~AdminClient();
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  // The body of a 2xx answer in *body.
  Outcome get(const std::string& path, std::string* body);
  Outcome post_json(const std::string& path, const std::string& json, std::string* body);

  // "/sessions/<id>" with the id percent-encoded, so that no id can name another route.
  std::string session_path(const std::string& id) const;
  const std::string& address() const noexcept { return address_; }

 private:
  AdminClient(CURL* curl, std::string address, std::string base_url, std::string key, uint32_t timeout_ms)
      : curl_(curl),
        address_(std::move(address)),
        base_url_(std::move(base_url)),
        key_(std::move(key)),
        timeout_ms_(timeout_ms) {}

  // REQUIRES: `post_body` is null for a GET.
  Outcome perform(const std::string& path, const std::string* post_body, std::string* body);

  CURL* curl_;
  const std::string address_;
  const std::string base_url_;  // "http://host:port"
  const std::string key_;
  const uint32_t timeout_ms_;
};

}  // namespace mxgw::ctl
