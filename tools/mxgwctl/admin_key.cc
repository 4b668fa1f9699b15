// Reading the admin key from the command line, a key file or the environment.

#include "tools/mxgwctl/admin_key.h"

#include <cstdlib>
#include <fstream>

namespace mxgw::ctl {
namespace {

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Outcome find_admin_key(const std::optional<std::string>& flag, const std::optional<std::string>& key_file,
                       std::string* key) {
  key->clear();
  if (flag) {
    *key = trimmed(*flag);
  } else if (key_file) {
    std::ifstream in(*key_file);
    std::string line;
    if (!in || !std::getline(in, line)) return {ExitCode::Usage, "cannot read a key from --key-file " + *key_file};
    *key = trimmed(line);
    if (key->empty()) return {ExitCode::Usage, "the first line of --key-file " + *key_file + " holds no key"};
  } else if (const char* from_environment = std::getenv(kAdminKeyVariable)) {
    *key = trimmed(from_environment);
  }
  return {};
}

}  // namespace mxgw::ctl
