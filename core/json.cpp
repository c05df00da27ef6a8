#include "ember/core/json.h"

#include <set>
#include <vector>

#include "ember/core/error.h"

namespace ember::core {

nlohmann::json parse_json(std::string_view text, const std::string& context, int max_depth) {
  using Json = nlohmann::json;
  using Event = Json::parse_event_t;
  // One entry per open object or array: the keys seen so far (arrays never add any).
  std::vector<std::set<std::string>> open;
  const Json::parser_callback_t check = [&](int, Event event, Json& parsed) {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        EMBER_CHECK(static_cast<int>(open.size()) < max_depth,
                    "{}: JSON nested deeper than {} levels", context, max_depth);
        open.emplace_back();
        break;
      case Event::object_end:
      case Event::array_end:
        open.pop_back();
        break;
      case Event::key:
        EMBER_CHECK(open.back().insert(parsed.get<std::string>()).second,
                    "{}: JSON key \"{}\" appears twice in one object", context,
                    parsed.get<std::string>());
        break;
      case Event::value:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), check);
  } catch (const Json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the tag.
    const std::string what = e.what();
    const size_t tag_end = what.find("] ");
    throw Error(fmt::format("{}: not valid JSON: {}", context,
                            tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
}

namespace {

// Every leaf value of a JSON object under its dotted name.
void flatten(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out) {
  if (!j.is_object()) {
    out[prefix] = j;
    return;
  }
  for (const auto& [key, value] : j.items())
    flatten(value, prefix.empty() ? key : prefix + "." + key, out);
}

}  // namespace

std::vector<std::string> json_differences(const nlohmann::json& from, const nlohmann::json& to) {
  nlohmann::json a = nlohmann::json::object(), b = nlohmann::json::object();
  flatten(from, "", a);
  flatten(to, "", b);
  std::vector<std::string> out;
  for (const auto& [key, value] : a.items()) {
    const std::string after = b.contains(key) ? b.at(key).dump() : "(none)";
    if (after != value.dump()) out.push_back(key + " " + value.dump() + " -> " + after);
  }
  for (const auto& [key, value] : b.items())
    if (!a.contains(key)) out.push_back(key + " (none) -> " + value.dump());
  return out;
}

}  // namespace ember::core
