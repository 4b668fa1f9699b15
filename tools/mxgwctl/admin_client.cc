// The admin HTTP client over one libcurl easy handle.

#include "tools/mxgwctl/admin_client.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace mxgw::ctl {
namespace {

size_t append_to_string(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// "host:port" or "[v6]:port" as "http://host:port"; false when it is neither.
bool base_url_of(const std::string& address, std::string* url) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string host = address.substr(0, colon);
  const std::string_view port(address.data() + colon + 1, address.size() - colon - 1);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  // Anything that would make the host a path, a user or a second address is refused
  // rather than passed into the URL.
  if (host.find_first_of("/?#@ \t\\") != std::string::npos || (host.find(':') != std::string::npos && !bracketed)) {
    return false;
  }
  unsigned number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) return false;
  *url = "http://" + host + ":" + std::to_string(number);
  return true;
}

ExitCode exit_code_of_http(long status) {
  switch (status) {
    case 401:
    case 403:
      return ExitCode::Refused;
    case 404:
      return ExitCode::NotFound;
    default:
      return ExitCode::Failed;
  }
}

}  // namespace

Outcome AdminClient::make(const std::string& address, std::string key, uint32_t timeout_ms,
                          std::unique_ptr<AdminClient>* client) {
  std::string base_url;
  if (!base_url_of(address, &base_url)) {
    return {ExitCode::Usage, "--admin wants host:port or [v6]:port, not '" + address + "'"};
  }
  for (const char c : key) {
    // The key becomes a header line: a control character could end it early.
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') {
      return {ExitCode::Usage, "the admin key holds a space or control character"};
    }
  }
  CURL* curl = curl_easy_init();
  if (!curl) return {ExitCode::Failed, "libcurl could not make a handle"};
  client->reset(new AdminClient(curl, address, std::move(base_url), std::move(key), timeout_ms));
  return {};
}

AdminClient::~AdminClient() { curl_easy_cleanup(curl_); }

Outcome AdminClient::get(const std::string& path, std::string* body) { return perform(path, nullptr, body); }

Outcome AdminClient::post_json(const std::string& path, const std::string& json, std::string* body) {
  return perform(path, &json, body);
}

std::string AdminClient::session_path(const std::string& id) const {
  char* escaped = curl_easy_escape(curl_, id.data(), static_cast<int>(id.size()));
  std::string path = "/sessions/" + std::string(escaped ? escaped : "");
  curl_free(escaped);
  return path;
}

Outcome AdminClient::perform(const std::string& path, const std::string* post_body, std::string* body) {
  const std::string url = base_url_ + path;
  const std::string request = (post_body ? "POST " : "GET ") + path;
  char error[CURL_ERROR_SIZE] = {};
  body->clear();
  curl_slist* headers = nullptr;
  if (!key_.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + key_).c_str());
  if (post_body) headers = curl_slist_append(headers, "Content-Type: application/json");

  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http");
  // The key must reach the daemon and nothing else: no proxy from the environment,
  // and no redirect is followed (libcurl's default).
  curl_easy_setopt(curl_, CURLOPT_PROXY, "");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, body);
  if (post_body) {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body->size()));
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, post_body->c_str());
  } else {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  }
  const CURLcode result = curl_easy_perform(curl_);
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  // The header list and the error buffer die with this call; libcurl must not keep them.
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);

  if (result == CURLE_OPERATION_TIMEDOUT) {
    return {ExitCode::CannotConnect, "no answer from the daemon at " + address_ + " within " +
                                         std::to_string(timeout_ms_) + " ms (" + request + ")"};
  }
  if (result != CURLE_OK) {
    return {ExitCode::CannotConnect,
            "cannot reach the daemon at " + address_ + ": " + (error[0] ? error : curl_easy_strerror(result))};
  }
  if (status >= 200 && status < 300) return {};
  // The daemon's errors are JSON; anything else in front of the port is reported as
  // the status it gave.
  const nlohmann::json answer = nlohmann::json::parse(*body, nullptr, false);
  const auto text = [&answer](const char* field) {
    const auto found = answer.find(field);
    return found != answer.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  const std::string said = request + ": HTTP " + std::to_string(status);
  const std::string message = text("message");
  return {exit_code_of_http(status), message.empty() ? said : message + " (" + said + " " + text("error") + ")"};
}

}  // namespace mxgw::ctl
