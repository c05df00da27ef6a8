// `ember train --precision fp32|bf16` (seq2seq/cli/run_flags.cpp): the flag, its place in
// config.json, and the refusal, naming the flag, where bf16 products cannot run.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/precision.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "support/cli.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

TrainOptions parse(const std::vector<std::string>& args) {
  TrainOptions options;
  cli::FlagSet flags("ember train", "test");
  cli::add_train_flags(flags, options);
  flags.parse(args);
  return options;
}

}  // namespace

TEST_CASE("--precision takes fp32 or bf16, and config.json keeps it") {
  CHECK(parse({}).precision == core::MatmulPrecision::fp32);
  CHECK(parse({"--precision", "fp32"}).precision == core::MatmulPrecision::fp32);
  CHECK_THROWS_WITH_AS(parse({"--precision", "fp16"}), doctest::Contains("--precision"), Error);
  RunConfig config;
  config.train.precision = core::MatmulPrecision::bf16;
  const std::string json = to_json_string(config);
  CHECK(json.find("\"precision\": \"bf16\"") != std::string::npos);
  CHECK(run_config_from_json(json).train.precision == core::MatmulPrecision::bf16);
  // A config.json from before the setting existed trains in fp32.
  CHECK(run_config_from_json("{\"train\": {\"epochs\": 2}}").train.precision ==
        core::MatmulPrecision::fp32);
  CHECK_THROWS_WITH_AS(run_config_from_json("{\"train\": {\"precision\": \"fp8\"}}"),
                       doctest::Contains("precision"), Error);
}

TEST_CASE("--precision bf16 runs where the kernel can, and is refused naming the flag elsewhere") {
  if (core::bf16_unsupported_reason().empty()) {
    CHECK(parse({"--precision", "bf16"}).precision == core::MatmulPrecision::bf16);
  } else {
    CHECK_THROWS_WITH_AS(parse({"--precision", "bf16"}), doctest::Contains("--precision bf16: "),
                         Error);
  }
  // Forced below avx512, the program refuses it before any work: exit status 2, one error line
  // naming the flag and the reason.
  setenv("EMBER_ISA", "portable", 1);
  const testing::Outcome out = testing::run_ember(
      "train --builtin dates --arch transformer --precision bf16 --run-dir "
      "/nonexistent/never-made");
  unsetenv("EMBER_ISA");
  CHECK(out.code == 2);
  CHECK(out.contains("--precision bf16: "));
  CHECK((out.contains("EMBER_ISA=portable") || out.contains("lacks AVX512_BF16")));
}
