#include <doctest/doctest.h>

#include <omp.h>

#include "core/threads.h"

using namespace ember::core;

TEST_CASE("set_num_threads sets the OpenMP pool and is read back") {
  const int before = num_threads();
  CHECK(before >= 1);
  set_num_threads(1);
  CHECK(num_threads() == 1);
  CHECK(omp_get_max_threads() == 1);
  set_num_threads(0);  // clamped to one
  CHECK(num_threads() == 1);
  set_num_threads(before);
  CHECK(omp_get_max_threads() == before);
}
