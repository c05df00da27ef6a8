# ember::distributed on MPI (docs/distributed.md): with EMBER_MPI (the default) and an MPI found,
# distributed/mpi_backend.cpp; otherwise distributed/no_mpi_backend.cpp, which runs one process and
# refuses a launch on several ranks. EMBER_MPIEXEC_FLAGS: what the tests pass mpiexec (Open MPI
# refuses to run as root, as CI does, without --allow-run-as-root).
option(EMBER_MPI "Build ember::distributed on MPI (find_package(MPI))" ON)
if(EMBER_MPI)
  set(MPI_CXX_SKIP_MPICXX ON)  # the C API only, from C++ (the C++ bindings are deprecated)
  find_package(MPI COMPONENTS CXX)
endif()
if(EMBER_MPI AND MPI_CXX_FOUND)
  target_sources(ember PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/distributed/mpi_backend.cpp)
  target_link_libraries(ember PRIVATE MPI::MPI_CXX)
  set(EMBER_WITH_MPI ON)
  set(EMBER_MPIEXEC_FLAGS --oversubscribe --allow-run-as-root CACHE STRING
      "mpiexec flags of the tests that run several ranks")
else()
  target_sources(ember PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/distributed/no_mpi_backend.cpp)
  set(EMBER_WITH_MPI OFF)
  if(EMBER_MPI)
    message(STATUS "ember: no MPI found: ember::distributed runs one process only")
  endif()
endif()
