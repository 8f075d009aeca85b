# cmake -DMODE=find_package|pkg_config -DPREFIX=... -DWORK=... -DCONSUMER=... -DCXX=... -DFIXTURES=... -DLIBDIR=... -P consumer.cmake
# Builds tests/install/consumer against the installed hfcpp the way a user would:
#   find_package: a CMake project with find_package(hfcpp 0.2) and hfcpp::hfcpp;
#   pkg_config:   c++ -std=c++20 main.cpp $(pkg-config --cflags --libs hfcpp).
# Then runs it on tiny-qwen2 and compares its output with the fixture's greedy continuation.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "find_package")
  run("configuring the consumer" ${CMAKE_COMMAND} -S ${CONSUMER} -B ${WORK} -G Ninja -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${PREFIX})
  run("building the consumer" ${CMAKE_COMMAND} --build ${WORK})
elseif(MODE STREQUAL "pkg_config")
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${LIBDIR}/pkgconfig")
  run("pkg-config" pkg-config --cflags --libs hfcpp)
  separate_arguments(flags UNIX_COMMAND "${output}")
  run("compiling the consumer" ${CXX} -std=c++20 -O1 ${CONSUMER}/main.cpp -o ${WORK}/consumer ${flags})
else()
  message(FATAL_ERROR "MODE must be find_package or pkg_config")
endif()

# A shared libhfcpp is found through LD_LIBRARY_PATH (the pkg-config build has no RPATH).
set(ENV{LD_LIBRARY_PATH} "${PREFIX}/${LIBDIR}")
execute_process(COMMAND ${WORK}/consumer ${FIXTURES}/tiny-qwen2 "Hello, my name is"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer failed (${rc}):\n${out}${err}")
endif()

file(READ ${FIXTURES}/tiny-qwen2/expected.json fixture)
string(JSON n LENGTH "${fixture}" cases)
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON name GET "${fixture}" cases ${i} name)
  if(name STREQUAL "plain_en")
    string(JSON prompt GET "${fixture}" cases ${i} text)
    # generate(do_sample=false) applies generation_config's repetition_penalty, as transformers does.
    string(JSON expected GET "${fixture}" cases ${i} greedy_repetition_penalty text)
  endif()
endforeach()
if(NOT prompt STREQUAL "Hello, my name is")
  message(FATAL_ERROR "fixture case plain_en has prompt '${prompt}', the test passes 'Hello, my name is'")
endif()
if(NOT out STREQUAL "${expected}\n")
  message(FATAL_ERROR "consumer (${MODE}) printed:\n${out}\nexpected:\n${expected}")
endif()
message("consumer (${MODE}): ${out}")
