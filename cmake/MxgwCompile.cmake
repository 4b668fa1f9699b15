# Warnings, sanitizers and fuzzing flags, applied to every mxgw target through the
# interface library mxgw::compile_options.

add_library(mxgw_compile_options INTERFACE)
add_library(mxgw::compile_options ALIAS mxgw_compile_options)

target_compile_options(mxgw_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  # C++20 designated initializers leave unnamed members at their defaults on
  # purpose; GCC 12 would warn about each of them.
  -Wno-missing-field-initializers
  $<$<BOOL:${MXGW_WERROR}>:-Werror>)

target_compile_definitions(mxgw_compile_options INTERFACE MXGW_VERSION_STRING="${PROJECT_VERSION}")

# Fuzzing runs with ASan+UBSan over the whole product, so that a fuzzer's input that
# corrupts memory or hits undefined behaviour anywhere stops the run.
if(MXGW_FUZZ AND MXGW_SANITIZE STREQUAL "")
  set(MXGW_SANITIZE address)
elseif(MXGW_FUZZ AND NOT MXGW_SANITIZE STREQUAL "address")
  message(FATAL_ERROR "MXGW_FUZZ runs under ASan+UBSan; it cannot be combined with MXGW_SANITIZE=${MXGW_SANITIZE}")
endif()

if(MXGW_SANITIZE STREQUAL "address")
  set(_mxgw_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(MXGW_SANITIZE STREQUAL "thread")
  set(_mxgw_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT MXGW_SANITIZE STREQUAL "")
  message(FATAL_ERROR "MXGW_SANITIZE must be '', 'address' or 'thread', not '${MXGW_SANITIZE}'")
endif()

# The sanitizer flags alone, also for the C programs (tests, examples) that link
# libmxgw: an instrumented library needs an instrumented program around it.
add_library(mxgw_sanitize INTERFACE)
add_library(mxgw::sanitize ALIAS mxgw_sanitize)
target_link_libraries(mxgw_compile_options INTERFACE mxgw_sanitize)
if(_mxgw_san)
  # -O1 and line tables only: half the compile time of -O2 -g, which keeps the two
  # sanitizer builds inside CI's time, with reports still naming files and lines.
  target_compile_options(mxgw_sanitize INTERFACE ${_mxgw_san} -O1 -g1)
  target_link_options(mxgw_sanitize INTERFACE ${_mxgw_san})
  # Slabs come from the system allocator under sanitizers, so that ASan sees every
  # frame buffer's bounds and lifetime (mimalloc's pages are invisible to it).
  target_compile_definitions(mxgw_compile_options INTERFACE MXGW_SYSTEM_ALLOCATOR=1)
endif()

if(MXGW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MXGW_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  target_compile_options(mxgw_compile_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
