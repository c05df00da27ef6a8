// Strict JSON for everything ember reads from a file (safetensors headers, checkpoint metadata,
// config.json, tokenizer files): nlohmann's parser plus the checks it leaves out.
//   - Nesting is bounded (kMaxJsonDepth): a 100,000-deep array would otherwise parse, and then
//     overflow the stack in the recursive dump() or destructor that follows.
//   - Duplicate keys are refused: nlohmann keeps the last one silently; RFC 8259 section 4 leaves
//     them undefined and safetensors forbids them.
// nlohmann itself refuses invalid UTF-8 in strings and anything after the value but whitespace.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ember::core {

constexpr int kMaxJsonDepth = 64;  // objects and arrays inside one another

// Parses `text`; throws ember::Error "<context>: <problem>", where `context` names the op and the
// file (e.g. "[safetensors] model.safetensors: header"), and the problem the line and column.
nlohmann::json parse_json(std::string_view text, const std::string& context,
                          int max_depth = kMaxJsonDepth);

// "key before -> after" for every value that differs between two JSON objects, in key order;
// nested objects are compared key by key under dotted names ("train.lr 0.001 -> 0.002"), and a
// key that one side lacks shows "(none)" there.
std::vector<std::string> json_differences(const nlohmann::json& from, const nlohmann::json& to);

}  // namespace ember::core
