// The main of every test executable: fixes the random seed so each test starts from the same state.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "ember/core/random.h"

int main(int argc, char** argv) {
  ember::core::manual_seed(1234);
  doctest::Context context(argc, argv);
  return context.run();
}
