# Finds ember's dependencies; a missing one stops the configure step naming the Debian package.
function(ember_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "ember needs ${what}: install it with `apt-get install -y ${package}`")
  endif()
endfunction()

find_package(fmt QUIET)
ember_require(fmt_FOUND "fmt" "libfmt-dev")

find_package(Threads REQUIRED)

find_package(nlohmann_json QUIET)
ember_require(nlohmann_json_FOUND "nlohmann/json" "nlohmann-json3-dev")

# OpenBLAS: cblas.h and the library; Debian puts the header under an include subfolder.
find_path(EMBER_CBLAS_INCLUDE cblas.h PATH_SUFFIXES openblas-pthread openblas x86_64-linux-gnu)
find_library(EMBER_OPENBLAS_LIB NAMES openblas)
if(EMBER_CBLAS_INCLUDE AND EMBER_OPENBLAS_LIB)
  set(EMBER_OPENBLAS_FOUND TRUE)
endif()
ember_require(EMBER_OPENBLAS_FOUND "OpenBLAS (cblas.h and libopenblas)" "libopenblas-dev")
add_library(ember_blas INTERFACE)
target_include_directories(ember_blas INTERFACE ${EMBER_CBLAS_INCLUDE})
target_link_libraries(ember_blas INTERFACE ${EMBER_OPENBLAS_LIB})

# oneDNN (optional, on by default when found): ember's GEMM on CPUs with AVX-512 (core/blas.cpp).
# Debian's build threads with OpenMP (libgomp), whose per-thread setting blas.cpp keeps at one.
option(EMBER_DNNL "Run GEMM on oneDNN's sgemm where the CPU has AVX-512 (libdnnl-dev)" ON)
if(EMBER_DNNL)
  find_path(EMBER_DNNL_INCLUDE oneapi/dnnl/dnnl.h)
  find_library(EMBER_DNNL_LIB NAMES dnnl)
  find_library(EMBER_GOMP_LIB NAMES gomp libgomp.so.1)
  if(EMBER_DNNL_INCLUDE AND EMBER_DNNL_LIB AND EMBER_GOMP_LIB)
    target_include_directories(ember_blas INTERFACE ${EMBER_DNNL_INCLUDE})
    target_link_libraries(ember_blas INTERFACE ${EMBER_DNNL_LIB} ${EMBER_GOMP_LIB})
    target_compile_definitions(ember_blas INTERFACE EMBER_HAVE_DNNL)
  else()
    message(STATUS "oneDNN not found (apt-get install -y libdnnl-dev): GEMM runs on OpenBLAS only")
  endif()
endif()

# seq2seq: SentencePiece (tokenizer training and encoding) and zlib (.gz corpora).
find_path(EMBER_SENTENCEPIECE_INCLUDE sentencepiece_processor.h)
find_library(EMBER_SENTENCEPIECE_LIB NAMES sentencepiece)
find_library(EMBER_SENTENCEPIECE_TRAIN_LIB NAMES sentencepiece_train)
if(EMBER_SENTENCEPIECE_INCLUDE AND EMBER_SENTENCEPIECE_LIB AND EMBER_SENTENCEPIECE_TRAIN_LIB)
  set(EMBER_SENTENCEPIECE_FOUND TRUE)
endif()
ember_require(EMBER_SENTENCEPIECE_FOUND "SentencePiece" "libsentencepiece-dev")
add_library(ember_sentencepiece INTERFACE)
target_include_directories(ember_sentencepiece INTERFACE ${EMBER_SENTENCEPIECE_INCLUDE})
target_link_libraries(ember_sentencepiece INTERFACE ${EMBER_SENTENCEPIECE_TRAIN_LIB}
                      ${EMBER_SENTENCEPIECE_LIB})
find_package(ZLIB QUIET)
ember_require(ZLIB_FOUND "zlib" "zlib1g-dev")
find_package(spdlog QUIET)
ember_require(spdlog_FOUND "spdlog" "libspdlog-dev")
find_package(ICU QUIET COMPONENTS uc)  # Unicode categories for sacreBLEU's intl tokenizer
ember_require(ICU_FOUND "ICU" "libicu-dev")

if(EMBER_BUILD_TESTS)
  find_path(EMBER_DOCTEST_INCLUDE doctest/doctest.h)
  ember_require(EMBER_DOCTEST_INCLUDE "doctest" "doctest-dev")
endif()
