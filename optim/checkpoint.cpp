#include "ember/optim/checkpoint.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "ember/core/checksums.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/core/safetensors.h"

namespace ember::optim {
namespace {

using Json = nlohmann::json;

constexpr const char* kFormat = "ember.training_checkpoint.v1";
// A generator counter counts the numbers drawn; 2^62 is beyond any run (150 years at 10^9 a
// second) and keeps counter + draw far from wrapping around.
constexpr uint64_t kMaxCounter = uint64_t{1} << 62;

// ---------------------------------------------------------------------------------------------
// Numbers as strings that read back to the same bits.

// The shortest decimal forms that read back to the same float / double.
std::string exact(float v) { return fmt::format("{}", v); }
std::string exact(double v) { return fmt::format("{}", v); }

template <class T>
bool parse_number(const std::string& text, T* out) {
  if constexpr (std::is_floating_point_v<T>) {
    if (text.empty()) return false;
    char* end = nullptr;
    *out = std::is_same_v<T, float> ? std::strtof(text.c_str(), &end)
                                    : std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
  } else {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return error == std::errc() && end == text.data() + text.size();
  }
}

// ---------------------------------------------------------------------------------------------
// Saving.

void add_optimizer(const Optimizer& optimizer, core::SafeTensors& st) {
  Json groups = Json::array();
  for (const ParamGroup& g : optimizer.param_groups())
    groups.push_back(
        {{"size", g.params.size()}, {"lr", exact(g.lr)}, {"weight_decay", exact(g.weight_decay)}});
  st.metadata["optimizer"] = Json{{"type", optimizer.name()}, {"groups", groups}}.dump();
  const std::vector<ParamState>& states = optimizer.state();
  for (size_t i = 0; i < states.size(); ++i) {
    const std::string prefix = fmt::format("optimizer.{}.", i);
    st.indices.emplace(prefix + "step", IndexArray({states[i].step}, Shape{}));
    for (const auto& [name, buffer] : states[i].buffers) st.floats.emplace(prefix + name, buffer);
  }
}

void add_schedule(const Schedule& schedule, core::SafeTensors& st) {
  Json values = Json::object();
  for (const auto& [key, value] : schedule.state()) values[key] = exact(value);
  st.metadata["schedule"] = Json{{"type", schedule.name()}, {"state", values}}.dump();
}

// ---------------------------------------------------------------------------------------------
// Loading: a Reader takes the file apart and checks each piece against the live objects, every
// refusal naming the file and the key; only a Restore that passed everything is applied.

// j[key] of an object, or null (for a missing key or a j that is not an object).
Json field(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j.at(key) : Json();
}

// What a checked file restores.
struct Restore {
  nn::StateDict model;
  std::vector<ParamState> optimizer;
  std::vector<std::pair<float, float>> groups;  // lr, weight_decay
  Schedule::State schedule;
  std::map<std::string, std::pair<uint64_t, uint64_t>> generators;  // seed, counter
  int64_t step = 0;
  int64_t epoch = 0;
  std::map<std::string, std::string> extra;
};

class Reader {
 public:
  Reader(core::SafeTensors st, const std::string& path);
  Restore read(const TrainingState& state);

 private:
  template <class... Args>
  [[noreturn]] void refuse(fmt::format_string<Args...> format, Args&&... args) const {
    throw Error(fmt::format("{}: {}", context(), fmt::format(format, std::forward<Args>(args)...)));
  }
  std::string context() const {
    return fmt::format("[checkpoint] {}: refused, nothing loaded", path_);
  }
  const std::string& meta(const std::string& key) const;
  Json meta_json(const std::string& key) const;
  template <class T>
  T number(const Json& j, const std::string& what) const;
  NDArray floats(const std::string& key, const Shape& shape, const char* owner);
  void read_model(const nn::Module& model, Restore& out);
  void read_groups(const Optimizer& optimizer, Restore& out) const;
  void read_optimizer(const Optimizer& optimizer, Restore& out);
  void read_schedule(const Schedule& schedule, Restore& out) const;
  void read_generators(const TrainingState& state, Restore& out) const;
  void check_all_used(bool skip_optimizer) const;

  std::string path_;
  core::SafeTensors st_;
  std::set<std::string> used_;
};

Reader::Reader(core::SafeTensors st, const std::string& path) : path_(path), st_(std::move(st)) {
  auto format = st_.metadata.find("format");
  if (format == st_.metadata.end() || format->second != kFormat)
    refuse("not an ember training checkpoint (metadata 'format' is not \"{}\")", kFormat);
  core::verify_checksums(st_, context(), /*required=*/true);
}

const std::string& Reader::meta(const std::string& key) const {
  auto it = st_.metadata.find(key);
  if (it == st_.metadata.end()) refuse("metadata '{}' is missing", key);
  return it->second;
}

Json Reader::meta_json(const std::string& key) const {
  Json j = core::parse_json(meta(key), fmt::format("{}: metadata '{}'", context(), key));
  if (!j.is_object()) refuse("metadata '{}' is not a JSON object", key);
  return j;
}

// A number stored as a decimal string (or, for counts, as a JSON integer); an unsigned one
// refuses a sign.
template <class T>
T Reader::number(const Json& j, const std::string& what) const {
  T value{};
  const bool integer = std::is_signed_v<T> ? j.is_number_integer() : j.is_number_unsigned();
  const bool ok = j.is_string() ? parse_number(j.get<std::string>(), &value)
                                : integer && (value = j.get<T>(), true);
  if (!ok) refuse("{} is {}, not a{} number", what, j.dump(), std::is_signed_v<T> ? "" : " non-negative");
  return value;
}

NDArray Reader::floats(const std::string& key, const Shape& shape, const char* owner) {
  auto it = st_.floats.find(key);
  if (it == st_.floats.end()) refuse("key '{}' is missing (or not F32)", key);
  if (it->second.shape() != shape)
    refuse("key '{}' has shape {} in the file but {} in {}", key,
           core::shape_str(it->second.shape()), core::shape_str(shape), owner);
  used_.insert(key);
  return it->second;
}

void Reader::read_model(const nn::Module& model, Restore& out) {
  for (const auto& [name, p] : model.named_parameters())
    out.model[name] = floats("model." + name, p.shape(), "the model");
}

void Reader::read_groups(const Optimizer& optimizer, Restore& out) const {
  const Json j = meta_json("optimizer");
  if (field(j, "type") != Json(optimizer.name()))
    refuse("metadata 'optimizer' holds type {} but the optimizer is {}", field(j, "type").dump(),
           optimizer.name());
  const Json groups = field(j, "groups");
  const auto& live = optimizer.param_groups();
  if (!groups.is_array() || groups.size() != live.size())
    refuse("metadata 'optimizer' holds groups {} but the optimizer has {} groups", groups.dump(),
           live.size());
  for (size_t g = 0; g < live.size(); ++g) {
    const std::string what = fmt::format("metadata 'optimizer' group {}", g);
    const Json& group = groups[g];
    if (number<size_t>(field(group, "size"), what + " size") != live[g].params.size())
      refuse("{} holds {} parameters but the optimizer's group {} has {}", what,
             field(group, "size").dump(), g, live[g].params.size());
    const auto lr = number<float>(field(group, "lr"), what + " lr");
    const auto decay = number<float>(field(group, "weight_decay"), what + " weight_decay");
    if (!(std::isfinite(lr) && lr >= 0.0f && std::isfinite(decay) && decay >= 0.0f))
      refuse("{} has lr {} and weight_decay {}", what, lr, decay);
    out.groups.emplace_back(lr, decay);
  }
}

void Reader::read_optimizer(const Optimizer& optimizer, Restore& out) {
  read_groups(optimizer, out);
  size_t index = 0;
  for (const ParamGroup& group : optimizer.param_groups()) {
    for (const Tensor& p : group.params) {
      const std::string prefix = fmt::format("optimizer.{}.", index++);
      auto step = st_.indices.find(prefix + "step");
      if (step == st_.indices.end() || step->second.numel() != 1 || step->second[0] < 0)
        refuse("key '{}step' is missing or not one count >= 0", prefix);
      used_.insert(prefix + "step");
      ParamState s{step->second[0], {}};
      for (const std::string& name :
           s.step > 0 ? optimizer.buffer_names() : std::vector<std::string>{})
        s.buffers[name] = floats(prefix + name, p.shape(), "its parameter");
      out.optimizer.push_back(std::move(s));
    }
  }
  try {
    optimizer.check_state(out.optimizer);
  } catch (const Error& e) {
    refuse("{}", e.what());
  }
}

void Reader::read_schedule(const Schedule& schedule, Restore& out) const {
  const Json j = meta_json("schedule");
  if (field(j, "type") != Json(schedule.name()))
    refuse("metadata 'schedule' holds type {} but the schedule is {}", field(j, "type").dump(),
           schedule.name());
  const Json values = field(j, "state");
  if (!values.is_object()) refuse("metadata 'schedule' has no \"state\" object");
  for (const auto& [key, value] : values.items())
    out.schedule[key] = number<double>(value, fmt::format("metadata 'schedule' state '{}'", key));
  for (const auto& [key, value] : schedule.state())
    if (!out.schedule.count(key)) refuse("metadata 'schedule' state '{}' is missing", key);
  if (out.schedule.size() != schedule.state().size())
    refuse("metadata 'schedule' state {} has keys the {} schedule does not know", values.dump(),
           schedule.name());
}

void Reader::read_generators(const TrainingState& state, Restore& out) const {
  const Json j = meta_json("generators");
  for (const auto& [name, g] : state.generators) {
    const std::string what = fmt::format("metadata 'generators' entry '{}'", name);
    const Json entry = field(j, name.c_str());
    if (!entry.is_object()) refuse("{} is missing", what);
    const auto counter = number<uint64_t>(field(entry, "counter"), what + " counter");
    if (counter >= kMaxCounter)
      refuse("{} counter is {}: no run draws 2^62 numbers", what, counter);
    out.generators[name] = {number<uint64_t>(field(entry, "seed"), what + " seed"), counter};
  }
}

void Reader::check_all_used(bool skip_optimizer) const {
  auto check = [&](const std::string& key) {
    if (used_.count(key) || (skip_optimizer && key.rfind("optimizer.", 0) == 0)) return;
    refuse("unexpected key '{}'", key);
  };
  for (const auto& [key, a] : st_.floats) check(key);
  for (const auto& [key, a] : st_.indices) check(key);
  for (const auto& [key, a] : st_.masks) check(key);
}

Restore Reader::read(const TrainingState& state) {
  Restore out;
  read_model(*state.model, out);
  if (state.optimizer != nullptr) read_optimizer(*state.optimizer, out);
  if (state.schedule != nullptr) read_schedule(*state.schedule, out);
  read_generators(state, out);
  check_all_used(state.optimizer == nullptr);
  out.step = number<int64_t>(Json(meta("step")), "metadata 'step'");
  out.epoch = number<int64_t>(Json(meta("epoch")), "metadata 'epoch'");
  if (out.step < 0 || out.epoch < 0)
    refuse("metadata 'step' / 'epoch' are {} / {}", out.step, out.epoch);
  const Json extra = meta_json("extra");
  for (const auto& [key, value] : extra.items()) {
    if (!value.is_string()) refuse("metadata 'extra' value of '{}' is not a string", key);
    out.extra[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace

void save_checkpoint(const std::string& path, const TrainingState& state) {
  EMBER_CHECK(state.model != nullptr, "[checkpoint] {}: TrainingState.model is null", path);
  core::SafeTensors st;
  for (const auto& [name, value] : state.model->state_dict())
    st.floats.emplace("model." + name, value);
  if (state.optimizer != nullptr) add_optimizer(*state.optimizer, st);
  if (state.schedule != nullptr) add_schedule(*state.schedule, st);
  Json generators = Json::object();
  for (const auto& [name, g] : state.generators) {
    EMBER_CHECK(g != nullptr, "[checkpoint] {}: generator '{}' is null", path, name);
    generators[name] = {{"seed", std::to_string(g->seed())},
                        {"counter", std::to_string(g->counter())}};
  }
  st.metadata["format"] = kFormat;
  st.metadata["step"] = std::to_string(state.step);
  st.metadata["epoch"] = std::to_string(state.epoch);
  st.metadata["generators"] = generators.dump();
  st.metadata["extra"] = Json(state.extra).dump();
  core::add_checksums(st);
  core::save_safetensors(path, st);
}

namespace {

void check_state(const TrainingState& state, const std::string& path) {
  EMBER_CHECK(state.model != nullptr, "[checkpoint] {}: TrainingState.model is null", path);
  for (const auto& [name, g] : state.generators)
    EMBER_CHECK(g != nullptr, "[checkpoint] {}: generator '{}' is null", path, name);
}

}  // namespace

void load_checkpoint(const std::string& path, TrainingState& state) {
  check_state(state, path);
  core::SafeTensors st;
  try {
    st = core::load_safetensors(path);
  } catch (const Error& e) {
    throw Error(fmt::format("[checkpoint] {}: refused, nothing loaded: {}", path, e.what()));
  }
  load_checkpoint(std::move(st), path, state);
}

void load_checkpoint(core::SafeTensors file, const std::string& path, TrainingState& state) {
  check_state(state, path);
  Reader reader(std::move(file), path);
  Restore r = reader.read(state);
  if (state.schedule != nullptr) {  // the one step that may still refuse: before any write
    try {
      state.schedule->load_state(r.schedule);
    } catch (const Error& e) {
      throw Error(fmt::format("[checkpoint] {}: refused, nothing loaded: {}", path, e.what()));
    }
  }
  state.model->load_state_dict(r.model);
  if (state.optimizer != nullptr) {
    state.optimizer->load_state(std::move(r.optimizer));
    for (size_t g = 0; g < r.groups.size(); ++g) {
      state.optimizer->param_groups()[g].lr = r.groups[g].first;
      state.optimizer->param_groups()[g].weight_decay = r.groups[g].second;
    }
  }
  for (const auto& [name, g] : state.generators)
    g->set_state(r.generators.at(name).first, r.generators.at(name).second);
  state.step = r.step;
  state.epoch = r.epoch;
  state.extra = std::move(r.extra);
}

}  // namespace ember::optim
