// Sentences as words: split at white space, and joined with single spaces. The probing corpora
// and their grammars (data/probing_corpus.h) write and read their sentences this way.
#pragma once

#include <string>
#include <vector>

namespace ember::seq2seq {

// The words of `text`, split at any run of spaces, tabs or newlines.
std::vector<std::string> split_words(const std::string& text);

// The words joined by single spaces.
std::string join_words(const std::vector<std::string>& words);

}  // namespace ember::seq2seq
