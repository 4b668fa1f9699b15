# `cmake --install`: the programs, libmxgw (shared, with its soname links, and
# static), its header and the backend plugin header, and the two ways a consumer finds the library: pkg-config
# (mxgw.pc) and CMake (find_package(mxgw) gives mxgw::mxgw and mxgw::mxgw_static).
# tests/install builds a consumer against an installed tree both ways.
#
# Sanitizer builds install too, but their libraries need the sanitizer's runtime in
# every program that links them: install from an ordinary build.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_mxgw_programs mxgw mxgw-worker)
foreach(program mxgwctl mxgw-bench)
  if(TARGET ${program})
    list(APPEND _mxgw_programs ${program})
  endif()
endforeach()
# A program linked to libmxgw.so finds it in the lib directory beside its own.
file(RELATIVE_PATH _mxgw_bin_to_lib /${CMAKE_INSTALL_BINDIR} /${CMAKE_INSTALL_LIBDIR})
set_target_properties(${_mxgw_programs} PROPERTIES INSTALL_RPATH "$ORIGIN/${_mxgw_bin_to_lib}")
install(TARGETS ${_mxgw_programs} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(TARGETS mxgw_capi_shared mxgw_capi_static EXPORT mxgwTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/engine/capi/include/mxgw/mxgw.h ${PROJECT_SOURCE_DIR}/worker/include/mxgw/mxgw_plugin.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mxgw)

# The static library's system dependencies, as the config and mxgw.pc name them;
# mimalloc is left out of sanitizer builds (see MxgwCompile.cmake).
if(MXGW_SANITIZE)
  set(MXGW_STATIC_MIMALLOC OFF)
  set(MXGW_PC_MIMALLOC "")
else()
  set(MXGW_STATIC_MIMALLOC ON)
  set(MXGW_PC_MIMALLOC "-lmimalloc ")  # Debian's libmimalloc-dev has no mimalloc.pc
endif()

set(_mxgw_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/mxgw)
install(EXPORT mxgwTargets NAMESPACE mxgw:: DESTINATION ${_mxgw_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mxgwConfig.cmake.in
  ${CMAKE_BINARY_DIR}/install/mxgwConfig.cmake INSTALL_DESTINATION ${_mxgw_cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/install/mxgwConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/install/mxgwConfig.cmake ${CMAKE_BINARY_DIR}/install/mxgwConfigVersion.cmake
  DESTINATION ${_mxgw_cmake_dir})

# mxgw.pc locates the prefix from its own directory, so the tree may be installed
# anywhere (`cmake --install --prefix DIR`) and moved.
file(RELATIVE_PATH MXGW_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" MXGW_PC_TO_PREFIX ${MXGW_PC_TO_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/mxgw.pc.in ${CMAKE_BINARY_DIR}/install/mxgw.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/install/mxgw.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
