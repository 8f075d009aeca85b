# cmake -DCXX=... -DPREFIX=... -DWORK=... -P headers_alone.cmake
# Every installed public header compiles on its own, in an otherwise empty translation unit, with
# only the install prefix on the include path (no src/, no other header included first).
file(GLOB headers RELATIVE ${PREFIX}/include ${PREFIX}/include/hf/*.h)
if(NOT headers)
  message(FATAL_ERROR "no headers under ${PREFIX}/include/hf")
endif()
file(MAKE_DIRECTORY ${WORK})
set(failed "")
foreach(header ${headers})
  string(MAKE_C_IDENTIFIER ${header} name)
  file(WRITE ${WORK}/${name}.cpp "#include <${header}>\n")
  execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -I${PREFIX}/include ${WORK}/${name}.cpp
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE err)
  if(NOT rc EQUAL 0)
    message("${header} does not compile alone:\n${err}")
    list(APPEND failed ${header})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "headers that do not compile alone: ${failed}")
endif()
list(LENGTH headers n)
message("${n} public headers compile alone")
