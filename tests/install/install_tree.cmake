# cmake -DBUILD_DIR=... -DPREFIX=... -DSOURCE_DIR=... -P install_tree.cmake
# Installs the current build (nothing is rebuilt) into a fresh PREFIX, then checks that no
# installed text file names the source or build tree: the installed copy must work wherever
# --prefix put it.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed:\n${out}")
endif()
foreach(required include/hf/hf.h include/hf/version.h include/hf/export.h bin/hfcpp)
  if(NOT EXISTS ${PREFIX}/${required})
    message(FATAL_ERROR "not installed: ${required}")
  endif()
endforeach()
file(GLOB_RECURSE texts ${PREFIX}/include/* ${PREFIX}/lib*/cmake/* ${PREFIX}/lib*/pkgconfig/*)
foreach(file ${texts})
  file(READ ${file} content)
  foreach(tree ${SOURCE_DIR} ${BUILD_DIR})
    string(FIND "${content}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} names ${tree}: an installed file must not point into the source or build tree")
    endif()
  endforeach()
endforeach()
