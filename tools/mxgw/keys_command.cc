// Adding a key to a keys file, atomically: the new file is written beside the old
// one, checked by loading it, and only then renamed over it.

#include "tools/mxgw/keys_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tools/mxgw/key_store.h"

namespace mxgw::daemon {

int add_key(const std::string& keys_file, const std::string& name, const std::string& role) {
  if (!daemon::KeyStore::valid_name(name)) {
    std::fprintf(stderr, "mxgw keys add: '%s' is not a valid key name ([A-Za-z0-9_.-]+)\n", name.c_str());
    return 64;
  }
  std::string content;
  if (std::ifstream existing(keys_file); existing) {
    std::ostringstream text;
    text << existing.rdbuf();
    content = text.str();
    if (!content.empty() && content.back() != '\n') content += '\n';
  }
  const std::string secret = daemon::KeyStore::generate_secret();
  content +=
      daemon::KeyStore::entry_line(name, role == "admin" ? daemon::KeyRole::Admin : daemon::KeyRole::Client, secret) +
      "\n";
  const std::string staged = keys_file + ".new";
  const int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size()) ||
      ::fsync(fd) != 0) {
    std::perror(("mxgw keys add: " + staged).c_str());
    if (fd >= 0) ::close(fd);
    return 73;
  }
  ::close(fd);
  daemon::KeyStore check;
  if (Status s = daemon::KeyStore::load(staged, &check); !s.is_ok()) {
    ::unlink(staged.c_str());
    std::fprintf(stderr, "mxgw keys add: %s\n", s.to_string().c_str());
    return 78;
  }
  if (::rename(staged.c_str(), keys_file.c_str()) != 0) {
    std::perror(("mxgw keys add: " + keys_file).c_str());
    ::unlink(staged.c_str());
    return 73;
  }
  std::printf("%s\n", secret.c_str());
  return 0;
}

}  // namespace mxgw::daemon
