// operator, engineer, supervisor: name = password, ids 1..3, fixed GUIDs.

#include "worker/src/sim_users.h"

#include <array>
#include <string>

namespace mxgw::worker {
namespace {

struct SimUser {
  std::string_view name;
  std::string_view guid;
  int32_t id;
};

constexpr std::array<SimUser, 3> kUsers{{
    {"operator", "6f1c0e2a-0001-4d6e-9a41-6d78677730a1", 1},
    {"engineer", "6f1c0e2a-0002-4d6e-9a41-6d78677730a2", 2},
    {"supervisor", "6f1c0e2a-0003-4d6e-9a41-6d78677730a3", 3},
}};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

Outcome sim_authenticate(std::string_view user, std::string_view password, int32_t* user_id) {
  for (const SimUser& u : kUsers) {
    if (equal_ignoring_case(u.name, user) && password == u.name) {
      *user_id = u.id;
      return {};
    }
  }
  return Outcome::failure(proto::CommandError::AuthenticationFailed,
                          "user '" + std::string(user) + "' is unknown or the password is wrong");
}

Outcome sim_user_from_guid(std::string_view guid, int32_t* user_id) {
  for (const SimUser& u : kUsers) {
    if (equal_ignoring_case(u.guid, guid)) {
      *user_id = u.id;
      return {};
    }
  }
  return Outcome::failure(proto::CommandError::UnknownUser, "no user has the GUID '" + std::string(guid) + "'");
}

}  // namespace mxgw::worker
