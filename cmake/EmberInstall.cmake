# `cmake --install` puts the headers under
# include/ember/{core,autograd,layers,optim,distributed,seq2seq}, the shared libraries
# (libember.so.0.1, libember_seq2seq.so.0.1) under lib/, emberConfig.cmake so that an outside
# project can
#   find_package(ember REQUIRED)  target_link_libraries(app PRIVATE ember::ember ember::seq2seq)
# and ember.pc / ember-seq2seq.pc for `pkg-config --cflags --libs ember-seq2seq`. A user includes
# <ember/ember.h>, <ember/seq2seq/metrics/bleu.h>: only include/ is on the path.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS ember EXPORT emberTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# core/fast_math.h includes the body it shares with the per-ISA kernels (core/isa/fast_math.inc).
foreach(dir core autograd layers optim distributed)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ember/${dir}
    FILES_MATCHING PATTERN "*.h" PATTERN "fast_math.inc")
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/ember.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ember)

install(EXPORT emberTargets NAMESPACE ember:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ember)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/emberConfig.cmake.in
  ${PROJECT_BINARY_DIR}/emberConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ember)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/emberConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/emberConfig.cmake ${PROJECT_BINARY_DIR}/emberConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ember)

# The .pc files find the prefix from their own place (${pcfiledir}), so an install moved or made
# with `cmake --install --prefix` still describes itself correctly.
file(RELATIVE_PATH EMBER_PC_TO_PREFIX ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig
  ${CMAKE_INSTALL_PREFIX})
foreach(pc ember ember-seq2seq)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
