#include "ember/seq2seq/data/words.h"

#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ember::seq2seq {

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::string join_words(const std::vector<std::string>& words) {
  return fmt::format("{}", fmt::join(words, " "));
}

}  // namespace ember::seq2seq
