// The sim backend's fixed user directory (see sim_backend.h).
//
// Thread safety: pure functions over constant data.

#pragma once

#include <cstdint>
#include <string_view>

#include "worker/src/backend.h"

namespace mxgw::worker {

Outcome sim_authenticate(std::string_view user, std::string_view password, int32_t* user_id);
Outcome sim_user_from_guid(std::string_view guid, int32_t* user_id);

}  // namespace mxgw::worker
