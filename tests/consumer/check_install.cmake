# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... -P check_install.cmake
# Installs ember from BUILD_DIR into WORK_DIR/prefix, runs the installed `ember` program, checks
# the libraries' SONAMEs, then builds and runs the consumer project against the install twice:
# with find_package(ember) and with the compiler alone, its flags from pkg-config.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run_or_fail what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok\n${out}")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

run_or_fail("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
run_or_fail("the installed ember program" ${prefix}/bin/ember --version)

file(GLOB_RECURSE libdirs LIST_DIRECTORIES false ${prefix}/libember.so)
list(GET libdirs 0 libember)
get_filename_component(libdir ${libember} DIRECTORY)
foreach(lib ember ember_seq2seq)
  run_or_fail("readelf lib${lib}.so" readelf -d ${libdir}/lib${lib}.so)
  if(NOT run_output MATCHES "Library soname: \\[lib${lib}\\.so\\.[0-9]+\\.[0-9]+\\]")
    message(FATAL_ERROR "lib${lib}.so has no versioned SONAME:\n${run_output}")
  endif()
endforeach()

run_or_fail("configuring the consumer with find_package(ember)"
  ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix})
run_or_fail("building the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_or_fail("the consumer (find_package)" ${WORK_DIR}/build/consumer)
foreach(expected "tensor([[ 0.5000, -0.5000]], shape=(1, 2), requires_grad=True)" "array(" "Linear(in_features=2, out_features=3, bias=True)" "BLEU|nrefs:1" "= 100.00")
  string(FIND "${run_output}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the consumer's output lacks '${expected}':\n${run_output}")
  endif()
endforeach()

set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)
run_or_fail("pkg-config" pkg-config --cflags --libs ember-seq2seq)
separate_arguments(pc_flags UNIX_COMMAND "${run_output}")
run_or_fail("building the consumer with pkg-config's flags"
  ${CXX} -std=c++20 -I${SOURCE_DIR}/tests/consumer ${SOURCE_DIR}/tests/consumer/main.cpp ${pc_flags}
  -Wl,-rpath,${libdir} -o ${WORK_DIR}/consumer_pkg_config)
run_or_fail("the consumer (pkg-config)" ${WORK_DIR}/consumer_pkg_config)
