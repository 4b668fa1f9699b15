// Where embedded mode finds mxgw-worker when the caller does not say: $MXGW_WORKER,
// then beside the running program, beside libmxgw itself, in ../bin from libmxgw
// (an installed prefix, or the build tree) or ../../bin (a multiarch libdir), and
// the directory it was configured to be installed to.
//
// Thread safety: a pure function of the environment and the file system.

#pragma once

#include <string>

namespace mxgw::capi {

// The first executable candidate; empty when there is none.
std::string locate_worker();

}  // namespace mxgw::capi
