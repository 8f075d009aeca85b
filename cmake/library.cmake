# libhfcpp and its installation: headers, the library, the `hfcpp` program, a CMake package
# (find_package(hfcpp 0.2) → hfcpp::hfcpp) and a pkg-config file. Included by the top CMakeLists
# after the layers are defined (HF_LIBRARY_LAYERS names them).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(hfcpp_library)  # STATIC, or SHARED with -DBUILD_SHARED_LIBS=ON
add_library(hfcpp::hfcpp ALIAS hfcpp_library)
# The library's dependencies: those of its layers that are not layers themselves. JSON is public
# (hf::json = nlohmann::ordered_json appears in the API); the rest is private, which for a static
# library still reaches the application's link line.
set(HF_LIBRARY_DEPS "")
foreach(layer ${HF_LIBRARY_LAYERS})
  target_sources(hfcpp_library PRIVATE $<TARGET_OBJECTS:hf_${layer}_objects>)
  get_target_property(deps hf_${layer} INTERFACE_LINK_LIBRARIES)
  foreach(dep ${deps})
    if(NOT dep MATCHES "^hf_" AND NOT dep STREQUAL "nlohmann_json::nlohmann_json")
      list(APPEND HF_LIBRARY_DEPS ${dep})
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES HF_LIBRARY_DEPS)
target_link_libraries(hfcpp_library PUBLIC nlohmann_json::nlohmann_json PRIVATE ${HF_LIBRARY_DEPS})
# Only include/ and the generated headers: src/ and hfcpp's compile options stay private, so a
# project that add_subdirectory()s or FetchContents hfcpp sees what an installed copy shows.
target_include_directories(hfcpp_library PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${HF_GENERATED_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(hfcpp_library PUBLIC cxx_std_20)
if(BUILD_SHARED_LIBS)
  target_compile_definitions(hfcpp_library PUBLIC HF_SHARED)
endif()
# SONAME libhfcpp.so.0.2: before 1.0 a minor release may break the ABI, so major.minor names it.
set_target_properties(hfcpp_library PROPERTIES
    OUTPUT_NAME hfcpp EXPORT_NAME hfcpp
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

set(HF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hfcpp)
install(TARGETS hfcpp_library EXPORT hfcppTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hf ${HF_GENERATED_INCLUDE_DIR}/hf
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(EXPORT hfcppTargets NAMESPACE hfcpp:: DESTINATION ${HF_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hfcppConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/hfcppConfig.cmake INSTALL_DESTINATION ${HF_CMAKE_DIR})
# 0.2.x satisfies find_package(hfcpp 0.2); 0.3 will not (pre-1.0 minor versions break the API).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hfcppConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hfcppConfig.cmake ${PROJECT_BINARY_DIR}/hfcppConfigVersion.cmake
        DESTINATION ${HF_CMAKE_DIR})

# pkg-config: relocatable (prefix from the .pc file's own place), and a static libhfcpp lists its
# dependencies under Requires/Libs, so `pkg-config --libs hfcpp` links without --static.
set(HF_PC_DEPS "libpcre2-8 libutf8proc sentencepiece libcurl libcrypto libhwy")
if(BUILD_SHARED_LIBS)
  set(HF_PC_REQUIRES "nlohmann_json")
  set(HF_PC_REQUIRES_PRIVATE "${HF_PC_DEPS}")
  set(HF_PC_LIBS "")
  set(HF_PC_LIBS_PRIVATE "-pthread")
  set(HF_PC_CFLAGS "-DHF_SHARED")
else()
  set(HF_PC_REQUIRES "nlohmann_json ${HF_PC_DEPS}")
  set(HF_PC_REQUIRES_PRIVATE "")
  set(HF_PC_LIBS "-pthread")
  set(HF_PC_LIBS_PRIVATE "")
  set(HF_PC_CFLAGS "")
endif()
set(HF_PC_PREFIX "\${pcfiledir}")  # ${pcfiledir} climbs from <libdir>/pkgconfig to the prefix
string(REPLACE "/" ";" pc_dir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
foreach(part ${pc_dir_parts})
  string(APPEND HF_PC_PREFIX "/..")
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/hfcpp.pc.in ${PROJECT_BINARY_DIR}/hfcpp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hfcpp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
