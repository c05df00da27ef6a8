// Training checkpoints: exact resume in a fresh process, atomic writes under SIGKILL, refusals
// that change nothing. The fresh processes are this test executable run again on the hidden test
// case "checkpoint child process", told what to do by the variable EMBER_CHECKPOINT_CHILD.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ember/core/checksums.h"
#include "ember/ember.h"
#include "ember/layers/dropout.h"
#include "ember/layers/linear.h"
#include "ember/optim/adam.h"
#include "ember/optim/checkpoint.h"
#include "ember/optim/clip_grad.h"
#include "ember/optim/sgd.h"
#include "support/files.h"

namespace fs = std::filesystem;
using namespace ember;

using ember::testing::read_file;
using ember::testing::TempDir;
using ember::testing::write_file;

namespace {

// Linear -> relu -> dropout -> Linear: the dropout makes the run draw from default_generator.
class Net : public nn::Module {
 public:
  explicit Net(int64_t hidden = 16) {
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(6, hidden));
    drop_ = register_module("drop", std::make_shared<nn::Dropout>(0.2f));
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(hidden, 3));
  }
  Tensor forward(const Tensor& x) const {
    return fc2_->forward(drop_->forward(relu(fc1_->forward(x))));
  }

 private:
  std::shared_ptr<nn::Linear> fc1_, fc2_;
  std::shared_ptr<nn::Dropout> drop_;
};

// A training run: model, AdamW, ReduceOnPlateau fed the training loss, and its own data
// generator, all registered in one TrainingState.
struct Run {
  explicit Run(int64_t hidden = 16) : net(std::make_shared<Net>(hidden)) {}

  void train(int64_t until) {
    for (; state.step < until; ++state.step) {
      const Tensor x(data.normal({8, 6}));
      std::vector<int64_t> t;
      for (int i = 0; i < 8; ++i) t.push_back(data.randint(3));
      opt.zero_grad();
      const Tensor loss = cross_entropy(net->forward(x), IndexArray(t));
      loss.backward();
      optim::clip_grad_norm(net->parameters(), 1.0f);
      opt.set_lr(schedule.rate(state.step + 1));
      opt.step();
      schedule.observe(loss.item());
      if (state.step % 4 == 3) ++state.epoch;
    }
  }

  std::shared_ptr<Net> net;
  optim::AdamW opt{net->parameters(), {.lr = 0.05f}};
  optim::ReduceOnPlateau schedule{0.05f, {.factor = 0.5f, .patience = 0}};
  core::Generator data{42};
  optim::TrainingState state{
      .model = net.get(),
      .optimizer = &opt,
      .schedule = &schedule,
      .generators = {{"default", &core::default_generator()}, {"data", &data}}};
};

// 2 M parameters (8 MB): long enough to write that a kill lands mid-write.
struct BigNet : public nn::Module {
  BigNet() { register_module("fc", std::make_shared<nn::Linear>(1024, 2048)); }
  void fill(float v) {
    for (const Tensor& p : parameters()) p.data().fill_(v);
  }
};

// Starts this executable on the child test case with EMBER_CHECKPOINT_CHILD=`job`.
pid_t spawn_child(const std::string& job) {
  const std::string exe = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args{exe, "--test-case=checkpoint child process", "--no-skip",
                                "--minimal"};
  std::vector<std::string> env{"EMBER_CHECKPOINT_CHILD=" + job};
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  for (std::string& e : env) envp.push_back(e.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execve(exe.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  REQUIRE(pid > 0);
  return pid;
}

int run_child(const std::string& job) {
  const pid_t pid = spawn_child(job);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

// The work of a fresh process (skipped in a normal run):
//   train <until> <out>          a fresh run trained to step <until>, saved to <out>
//   resume <in> <until> <out>    a fresh run loaded from <in>, trained to <until>, saved
//   writer <path>                saves BigNet filled with k as step k to <path>, k = 1, 2, ...
TEST_CASE("checkpoint child process" * doctest::skip()) {
  const char* job = std::getenv("EMBER_CHECKPOINT_CHILD");
  REQUIRE(job != nullptr);
  std::istringstream in(job);
  std::string mode, path, out;
  in >> mode;
  if (mode == "writer") {
    in >> path;
    BigNet net;
    optim::TrainingState state{.model = &net};
    for (int64_t k = 1;; ++k) {
      net.fill(static_cast<float>(k));
      state.step = k;
      optim::save_checkpoint(path, state);
    }
  }
  Run run;
  int64_t until = 0;
  if (mode == "resume") {
    in >> path;
    optim::load_checkpoint(path, run.state);
  }
  in >> until >> out;
  REQUIRE(until > 0);
  run.train(until);
  optim::save_checkpoint(out, run.state);
}

TEST_CASE("training N steps, resuming in a fresh process and training M more == N+M straight") {
  TempDir dir("checkpoint");
  REQUIRE(run_child(fmt::format("train 12 {}", dir.file("straight"))) == 0);
  REQUIRE(run_child(fmt::format("train 5 {}", dir.file("first"))) == 0);
  REQUIRE(run_child(fmt::format("resume {} 12 {}", dir.file("first"), dir.file("resumed"))) == 0);
  const std::string straight = read_file(dir.file("straight"));
  CHECK(straight.size() > 1000);
  CHECK(straight != read_file(dir.file("first")));
  // Every parameter, moment, step count, schedule value and generator counter, to the bit.
  CHECK(straight == read_file(dir.file("resumed")));

  Run check;
  optim::load_checkpoint(dir.file("resumed"), check.state);
  CHECK(check.state.step == 12);
  CHECK(check.state.epoch == 3);
  CHECK(check.opt.state()[0].step == 12);
}

TEST_CASE("a writer killed mid-write leaves the previous checkpoint intact") {
  TempDir dir("checkpoint");
  const std::string path = dir.file("big.ckpt");
  BigNet net;
  optim::TrainingState state{.model = &net};
  net.fill(0.0f);
  optim::save_checkpoint(path, state);
  bool killed_mid_write = false;
  for (int attempt = 0; attempt < 5 && !killed_mid_write; ++attempt) {
    const pid_t pid = spawn_child("writer " + path);
    const fs::path temp = fmt::format("{}.tmp.{}", path, pid);
    int status = 0;
    while (!fs::exists(temp) && waitpid(pid, &status, WNOHANG) == 0) std::this_thread::yield();
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    killed_mid_write = fs::exists(temp);
    fs::remove(temp);

    BigNet loaded;
    optim::TrainingState target{.model = &loaded};
    REQUIRE_NOTHROW(optim::load_checkpoint(path, target));
    const auto expected = static_cast<float>(target.step);  // the last complete save
    for (const Tensor& p : loaded.parameters()) {
      const std::vector<float> v = p.to_vector();
      CHECK(std::count(v.begin(), v.end(), expected) == static_cast<long>(v.size()));
    }
  }
  CHECK(killed_mid_write);
}

TEST_CASE("a checkpoint restores every part of the training state") {
  TempDir dir("checkpoint");
  Run a;
  a.train(6);
  a.state.extra["note"] = "hello";
  a.opt.param_groups()[0].weight_decay = 0.25f;
  optim::save_checkpoint(dir.file("a"), a.state);

  Run b;
  b.state.extra["stale"] = "x";
  optim::load_checkpoint(dir.file("a"), b.state);
  CHECK(b.state.step == 6);
  CHECK(b.state.epoch == a.state.epoch);
  CHECK(b.state.extra == std::map<std::string, std::string>{{"note", "hello"}});
  CHECK(b.data.counter() == a.data.counter());
  CHECK(b.schedule.state() == a.schedule.state());
  CHECK(b.opt.param_groups()[0].lr == a.opt.param_groups()[0].lr);
  CHECK(b.opt.param_groups()[0].weight_decay == 0.25f);
  for (size_t i = 0; i < a.opt.state().size(); ++i) {
    CHECK(b.opt.state()[i].step == a.opt.state()[i].step);
    for (const auto& [name, buffer] : a.opt.state()[i].buffers)
      CHECK(b.opt.state()[i].buffers.at(name).to_vector() == buffer.to_vector());
  }
  for (const auto& [name, value] : a.net->state_dict())
    CHECK(b.net->state_dict().at(name).to_vector() == value.to_vector());
  // Both continue identically (one after the other: they share default_generator, which the
  // second load rewinds).
  a.train(8);
  optim::load_checkpoint(dir.file("a"), b.state);
  b.train(8);
  optim::save_checkpoint(dir.file("a8"), a.state);
  optim::save_checkpoint(dir.file("b8"), b.state);
  CHECK(read_file(dir.file("a8")) == read_file(dir.file("b8")));
}

TEST_CASE("a null optimizer or schedule skips that part of the file") {
  TempDir dir("checkpoint");
  Run a;
  a.train(2);
  optim::save_checkpoint(dir.file("a"), a.state);
  Net eval_net;
  optim::TrainingState eval{.model = &eval_net};
  optim::load_checkpoint(dir.file("a"), eval);
  CHECK(eval.step == 2);
  for (const auto& [name, value] : a.net->state_dict())
    CHECK(eval_net.state_dict().at(name).to_vector() == value.to_vector());
}

// Loading each bad file into `run` must throw naming the file and `key`, and change nothing: the
// run saved after the refusal is byte for byte the run saved before.
void check_refused(Run& run, const std::string& file, const std::string& key, const TempDir& dir) {
  optim::save_checkpoint(dir.file("before"), run.state);
  CHECK_THROWS_WITH_AS(optim::load_checkpoint(file, run.state), doctest::Contains(file.c_str()),
                       Error);
  CHECK_THROWS_WITH_AS(optim::load_checkpoint(file, run.state), doctest::Contains(key.c_str()),
                       Error);
  optim::save_checkpoint(dir.file("after"), run.state);
  CHECK(read_file(dir.file("before")) == read_file(dir.file("after")));
}

// The byte offset in a checkpoint file of the data of tensor `name`.
size_t data_offset(const std::string& bytes, const std::string& name) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  return 8 + n + header.at(name).at("data_offsets")[0].get<size_t>();
}

TEST_CASE("corrupt, truncated and foreign files are refused, changing nothing") {
  TempDir dir("checkpoint");
  Run good;
  good.train(3);
  optim::save_checkpoint(dir.file("good"), good.state);
  const std::string bytes = read_file(dir.file("good"));
  Run run;
  run.train(1);

  std::string flipped = bytes;
  flipped[data_offset(bytes, "model.fc2.weight") + 5] ^= 0x10;
  write_file(dir.file("flipped"), flipped);
  check_refused(run, dir.file("flipped"), "key 'model.fc2.weight' fails its checksum", dir);

  std::string moment = bytes;
  moment[data_offset(bytes, "optimizer.1.exp_avg_sq")] ^= 0x01;
  write_file(dir.file("moment"), moment);
  check_refused(run, dir.file("moment"), "key 'optimizer.1.exp_avg_sq' fails its checksum", dir);

  write_file(dir.file("truncated"), bytes.substr(0, bytes.size() - 12));
  check_refused(run, dir.file("truncated"), "data_offsets end", dir);
  write_file(dir.file("stub"), bytes.substr(0, 5));
  check_refused(run, dir.file("stub"), "too short", dir);
  write_file(dir.file("garbage"), std::string(64, 'x'));
  check_refused(run, dir.file("garbage"), "[safetensors]", dir);
  check_refused(run, dir.file("missing"), "it does not exist", dir);
  nn::save(*run.net, dir.file("weights_only"));
  check_refused(run, dir.file("weights_only"), "metadata 'format'", dir);
}

TEST_CASE("a checkpoint that does not fit the live objects is refused, changing nothing") {
  TempDir dir("checkpoint");
  Run good;
  good.train(2);
  optim::save_checkpoint(dir.file("good"), good.state);
  const std::string file = dir.file("good");

  Run narrow(8);
  narrow.train(1);
  check_refused(narrow, file,
                "key 'model.fc1.weight' has shape (16, 6) in the file but (8, 6) in the model",
                dir);

  Run run;
  run.train(1);
  optim::SGD sgd(run.net->parameters(), {.lr = 0.1f});
  run.state.optimizer = &sgd;
  check_refused(run, file, "holds type \"AdamW\" but the optimizer is SGD", dir);
  run.state.optimizer = &run.opt;

  optim::StepDecay decay(0.1f, 10);
  run.state.schedule = &decay;
  check_refused(run, file, "holds type \"ReduceOnPlateau\" but the schedule is StepDecay", dir);
  run.state.schedule = &run.schedule;

  core::Generator other(3);
  run.state.generators["other"] = &other;
  check_refused(run, file, "metadata 'generators' entry 'other' is missing", dir);
  run.state.generators.erase("other");

  optim::AdamW split(std::vector<optim::ParamGroup>{{{run.net->parameters()[0]}, 0.1f, 0.0f},
                                                    {{run.net->parameters()[1]}, 0.1f, 0.0f}},
                     {});
  run.state.optimizer = &split;
  check_refused(run, file, "metadata 'optimizer' holds groups", dir);
  run.state.optimizer = &run.opt;

  Net wide(16);  // same shapes, saved without optimizer and schedule ...
  optim::TrainingState weights{.model = &wide};
  optim::save_checkpoint(dir.file("no_optimizer"), weights);
  check_refused(run, dir.file("no_optimizer"), "metadata 'optimizer' is missing", dir);
  // ... and a file holding a parameter the model lacks.
  struct Extra : Net {
    Extra() { register_parameter("extra", Tensor::zeros({2})); }
  } extra;
  weights.model = &extra;
  optim::save_checkpoint(dir.file("extra"), weights);
  Net plain;
  optim::TrainingState target{.model = &plain};
  CHECK_THROWS_WITH_AS(optim::load_checkpoint(dir.file("extra"), target),
                       doctest::Contains("unexpected key 'model.extra'"), Error);
}

// The metadata entry `key` of `st` as JSON, edited by `edit`.
void edit_json(core::SafeTensors& st, const std::string& key,
               const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(st.metadata.at(key));
  edit(j);
  st.metadata[key] = j.dump();
}

TEST_CASE("edited checkpoints with valid checksums are refused naming the key, changing nothing") {
  using Edit = std::function<void(core::SafeTensors&)>;
  using nlohmann::json;
  TempDir dir("checkpoint");
  Run good;
  good.train(3);
  optim::save_checkpoint(dir.file("good"), good.state);
  Run run;
  run.train(1);
  const std::vector<std::pair<std::string, Edit>> cases = {
      {"metadata 'format'", [](auto& st) { st.metadata.erase("format"); }},
      {"metadata 'optimizer': not valid JSON", [](auto& st) { st.metadata["optimizer"] = "[1"; }},
      {"metadata 'optimizer' is not a JSON object",
       [](auto& st) { st.metadata["optimizer"] = "[1]"; }},
      {"metadata 'extra': JSON nested deeper than 64 levels",
       [](auto& st) { st.metadata["extra"] = std::string(100000, '[') + std::string(100000, ']'); }},
      {"metadata 'extra': JSON key \"k\" appears twice",
       [](auto& st) { st.metadata["extra"] = R"({"k": "1", "k": "2"})"; }},
      {"entry 'default' counter is -1, not a non-negative number",
       [](auto& st) { edit_json(st, "generators", [](json& j) { j["default"]["counter"] = -1; }); }},
      {"entry 'default' counter is 4611686018427387904: no run draws 2^62 numbers",
       [](auto& st) {
         edit_json(st, "generators",
                   [](json& j) { j["default"]["counter"] = "4611686018427387904"; });
       }},
      {"group 0 lr is \"fast\", not a number",
       [](auto& st) {
         edit_json(st, "optimizer", [](json& j) { j["groups"][0]["lr"] = "fast"; });
       }},
      {"group 0 has lr -1",
       [](auto& st) { edit_json(st, "optimizer", [](json& j) { j["groups"][0]["lr"] = "-1"; }); }},
      {"group 0 holds 9 parameters but the optimizer's group 0 has 4",
       [](auto& st) { edit_json(st, "optimizer", [](json& j) { j["groups"][0]["size"] = 9; }); }},
      {"holds type 5 but the optimizer is AdamW",
       [](auto& st) { edit_json(st, "optimizer", [](json& j) { j["type"] = 5; }); }},
      {"key 'optimizer.2.step' is missing", [](auto& st) { st.indices.erase("optimizer.2.step"); }},
      {"key 'optimizer.1.exp_avg' is missing",
       [](auto& st) { st.floats.erase("optimizer.1.exp_avg"); }},
      {"unexpected key 'optimizer.0.momentum_buffer'",
       [](auto& st) {
         st.floats["optimizer.0.momentum_buffer"] = st.floats.at("optimizer.0.exp_avg").clone();
       }},
      {"metadata 'schedule' state 'best' is missing",
       [](auto& st) { edit_json(st, "schedule", [](json& j) { j["state"].erase("best"); }); }},
      {"has keys the ReduceOnPlateau schedule does not know",
       [](auto& st) { edit_json(st, "schedule", [](json& j) { j["state"]["x"] = "1"; }); }},
      {"metadata 'schedule' has no \"state\" object",
       [](auto& st) { edit_json(st, "schedule", [](json& j) { j.erase("state"); }); }},
      {"[ReduceOnPlateau] lr must be finite and >= 0, got -1",
       [](auto& st) { edit_json(st, "schedule", [](json& j) { j["state"]["lr"] = "-1"; }); }},
      {"metadata 'generators' entry 'data' seed is \"-1\"",
       [](auto& st) { edit_json(st, "generators", [](json& j) { j["data"]["seed"] = "-1"; }); }},
      {"metadata 'generators' entry 'default' is missing",
       [](auto& st) { edit_json(st, "generators", [](json& j) { j.erase("default"); }); }},
      {"metadata 'step' is \"3.5\"", [](auto& st) { st.metadata["step"] = "3.5"; }},
      {"metadata 'step' / 'epoch' are -3 / 0", [](auto& st) { st.metadata["step"] = "-3"; }},
      {"metadata 'extra' value of 'k' is not a string",
       [](auto& st) { edit_json(st, "extra", [](json& j) { j["k"] = 1; }); }},
  };
  for (const auto& [expected, edit] : cases) {
    CAPTURE(expected);
    core::SafeTensors st = core::load_safetensors(dir.file("good"));
    edit(st);
    st.metadata["checksums"] = core::safetensors_checksums(st);
    core::save_safetensors(dir.file("edited"), st);
    check_refused(run, dir.file("edited"), expected, dir);
  }
}

TEST_CASE("checksums must cover every tensor and the metadata") {
  TempDir dir("checkpoint");
  Run run;
  run.train(2);
  optim::save_checkpoint(dir.file("good"), run.state);
  const std::vector<std::pair<std::string, std::function<void(core::SafeTensors&)>>> cases = {
      {"the metadata fails its checksum", [](auto& st) { st.metadata["step"] = "1"; }},
      {"key 'model.fc1.bias' has no checksum",
       [](auto& st) { edit_json(st, "checksums", [](auto& j) { j.erase("model.fc1.bias"); }); }},
      {"metadata 'checksums' lists keys the file does not hold",
       [](auto& st) { edit_json(st, "checksums", [](auto& j) { j["model.x"] = "0"; }); }},
      {"metadata 'checksums' is missing", [](auto& st) { st.metadata.erase("checksums"); }},
  };
  for (const auto& [expected, edit] : cases) {
    CAPTURE(expected);
    core::SafeTensors st = core::load_safetensors(dir.file("good"));
    edit(st);
    core::save_safetensors(dir.file("edited"), st);
    check_refused(run, dir.file("edited"), expected, dir);
  }
}

TEST_CASE("save_checkpoint refuses a state without a model or with a null generator") {
  TempDir dir("checkpoint");
  optim::TrainingState empty;
  CHECK_THROWS_WITH_AS(optim::save_checkpoint(dir.file("x"), empty),
                       doctest::Contains("[checkpoint]"), Error);
  Net net;
  optim::TrainingState state{.model = &net, .generators = {{"data", nullptr}}};
  CHECK_THROWS_WITH_AS(optim::save_checkpoint(dir.file("x"), state),
                       doctest::Contains("generator 'data' is null"), Error);
  CHECK_THROWS_WITH_AS(optim::load_checkpoint(dir.file("x"), state),
                       doctest::Contains("generator 'data' is null"), Error);
  CHECK_THROWS_WITH_AS(optim::load_checkpoint(dir.file("x"), empty),
                       doctest::Contains("model is null"), Error);
}
