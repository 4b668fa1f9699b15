// Between mxgw_value (the C API's value) and the protocol's Value: values to write
// become a ValueT for the command; values in events are viewed in place.
//
// Thread safety: pure functions.

#pragma once

#include <mxgw/mxgw.h>
#include <mxgw/schema/mx_types_generated.h>
#include <mxgw/status.h>

namespace mxgw::capi {

// Scalars of every MXGW_TYPE_*, arrays of them (elements as documented in mxgw.h;
// a string array as `const char* const*`). InvalidArgument for anything else.
Status to_value(const mxgw_value& in, proto::ValueT* out);

// Fills *out with views into `value` (which must outlive them). A null `value`
// gives MXGW_TYPE_NO_DATA.
void view_value(const proto::Value* value, mxgw_value* out);

}  // namespace mxgw::capi
