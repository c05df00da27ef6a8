// The Porter stemmer (M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980),
// exactly as NLTK's PorterStemmer runs it in its default mode (NLTK_EXTENSIONS, NLTK 3.8): the
// stemmer Google's rouge-score applies with use_stemmer=True, as PEGASUS and most summarization
// papers score, so that "meetings" and "meeting" count as the same word:
//
//   porter_stem("meetings") == "meet", porter_stem("scheduled") == "schedul",
//   porter_stem("happiness") == "happi", porter_stem("dying") == "die"
//
// The word is taken as it is (rouge_tokenize's tokens are lowercase [a-z0-9]+; nothing is
// lowercased here); a word of two characters or fewer is returned unchanged.
#pragma once

#include <string>
#include <string_view>

namespace ember::seq2seq {

std::string porter_stem(std::string_view word);

}  // namespace ember::seq2seq
