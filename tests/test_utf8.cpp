#include <doctest/doctest.h>

#include <string>

#include "ember/core/utf8.h"

using ember::core::find_invalid_utf8;
using ember::core::is_valid_utf8;
using ember::core::split_code_points;

TEST_CASE("find_invalid_utf8 accepts well-formed text of every sequence length") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80"));  // é 中文 😀
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));                                       // U+10FFFF
  CHECK(is_valid_utf8("\xED\x9F\xBF"));                                           // U+D7FF
}

TEST_CASE("find_invalid_utf8 returns the offset of the first bad sequence") {
  CHECK(find_invalid_utf8("ab\xFF") == 2);
  CHECK(find_invalid_utf8("ab\xC3") == 2);            // truncated
  CHECK(find_invalid_utf8("\xC0\xAF") == 0);          // overlong '/'
  CHECK(find_invalid_utf8("x\xE0\x80\xAF") == 1);     // overlong 3-byte
  CHECK(find_invalid_utf8("\xED\xA0\x80") == 0);      // surrogate U+D800
  CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == 0);  // above U+10FFFF
  CHECK(find_invalid_utf8("ok \x80") == 3);           // lone continuation byte
  CHECK(find_invalid_utf8("\xC3\xA9\xE4\xB8") == 2);  // valid é, then truncated
}

TEST_CASE("split_code_points splits characters and keeps bad bytes as pieces") {
  const std::string text = "n\xC3\xA9\xE4\xB8\xAD";
  const auto pieces = split_code_points(text);
  REQUIRE(pieces.size() == 3);
  CHECK(pieces[0] == "n");
  CHECK(pieces[1] == "\xC3\xA9");
  CHECK(pieces[2] == "\xE4\xB8\xAD");
  const auto bad = split_code_points("a\xFF\xC3");
  REQUIRE(bad.size() == 3);
  CHECK(bad[1] == "\xFF");
  CHECK(bad[2] == "\xC3");
}
