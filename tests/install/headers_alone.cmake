# cmake -DCXX=... -DPREFIX=... -DHEADER=hf/x.h -DWORK=... -P headers_alone.cmake
# An installed public header compiles on its own, in an otherwise empty translation unit, with
# only the install prefix on the include path (no src/, no other header included first).
if(NOT EXISTS ${PREFIX}/include/${HEADER})
  message(FATAL_ERROR "${HEADER} is not installed under ${PREFIX}/include")
endif()
file(MAKE_DIRECTORY ${WORK})
string(MAKE_C_IDENTIFIER ${HEADER} name)
file(WRITE ${WORK}/${name}.cpp "#include <${HEADER}>\n")
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -I${PREFIX}/include ${WORK}/${name}.cpp
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${HEADER} does not compile alone:\n${err}")
endif()
