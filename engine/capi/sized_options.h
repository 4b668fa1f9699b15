// Reading an options struct that starts with its caller's size (mxgw.h,
// "Compatibility"): the caller may have been compiled against an older header (a
// smaller struct: the fields it lacks keep their defaults) or a newer one (a larger
// struct: accepted only when everything this library does not know is zero).
//
// Thread safety: pure functions.

#pragma once

#include <cstddef>
#include <cstring>
#include <string>

#include <mxgw/status.h>

namespace mxgw::capi {

// Copies the part of *given that both sides know into *out, which holds the
// defaults (and this library's struct_size) on entry. `first_version_size` is where
// the last field of the struct's first version ends: no caller has less. `what`
// names the struct in error messages. NULL `given` leaves the defaults.
template <typename Options>
Status read_sized(const Options* given, size_t first_version_size, const char* what, Options* out) {
  if (!given) return {};
  const size_t size = given->struct_size;
  if (size < first_version_size) {
    return {ErrorCode::InvalidArgument, std::string(what) + ".struct_size is " + std::to_string(size) +
                                            ", less than any version of it: initialize it with " + what + "_init"};
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(given);
  for (size_t i = sizeof(Options); i < size; ++i) {
    if (bytes[i] != 0) {
      return {ErrorCode::InvalidArgument,
              std::string(what) + " sets fields this libmxgw (" MXGW_VERSION_STRING ") does not know: byte " +
                  std::to_string(i) + " of " + std::to_string(size) + " is not zero"};
    }
  }
  const size_t known = size < sizeof(Options) ? size : sizeof(Options);
  const size_t own_size = out->struct_size;
  std::memcpy(static_cast<void*>(out), given, known);
  out->struct_size = own_size;
  return {};
}

}  // namespace mxgw::capi
