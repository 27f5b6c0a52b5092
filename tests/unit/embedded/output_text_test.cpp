#include "tiers/embedded/output_text.h"

#include <gtest/gtest.h>

namespace tiergate::embedded {
namespace {

std::string feed(OutputText& out, std::initializer_list<std::string_view> pieces, bool* stopped) {
  std::string seen;
  *stopped = false;
  for (auto p : pieces) {
    *stopped = out.append(p);
    std::string ready = out.take_ready();
    EXPECT_TRUE(is_valid_utf8(ready)) << ready;
    seen += ready;
    if (*stopped) break;
  }
  seen += out.flush();
  return seen;
}

TEST(OutputText, HoldsCharacterSplitAcrossTokens) {
  OutputText out;
  out.append("caf\xC3");
  EXPECT_EQ(out.take_ready(), "caf");  // the first byte of é waits for the second
  out.append("\xA9!");
  EXPECT_EQ(out.take_ready(), "\xC3\xA9!");
  out.append("\xF0\x9F");
  EXPECT_EQ(out.take_ready(), "");
  out.append("\x98");
  EXPECT_EQ(out.take_ready(), "");
  out.append("\x80");
  EXPECT_EQ(out.take_ready(), "\xF0\x9F\x98\x80");
}

TEST(OutputText, InvalidBytesBecomeReplacementCharacters) {
  OutputText out;
  out.append(
      "a\x80"
      "b\xFF");
  EXPECT_EQ(out.take_ready(),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  out.append("\xE2\x82");  // truncated at the end of the generation
  EXPECT_EQ(out.flush(), "\xEF\xBF\xBD");
  EXPECT_EQ(sanitize_utf8("\xC3"), "\xEF\xBF\xBD");
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // a surrogate
}

TEST(OutputText, StopSequenceSpanningTokensIsNotEmitted) {
  OutputText out({"END"});
  bool stopped = false;
  EXPECT_EQ(feed(out, {"Hello E", "N", "D and more"}, &stopped), "Hello ");
  EXPECT_TRUE(stopped);
}

TEST(OutputText, FalseStopPrefixIsReleased) {
  OutputText out({"END"});
  out.append("Hello EN");
  EXPECT_EQ(out.take_ready(), "Hello ");
  out.append("TER");
  EXPECT_EQ(out.take_ready(), "ENTER");
  bool stopped = false;
  OutputText out2({"\n\n", "STOP"});
  EXPECT_EQ(feed(out2, {"a\n", "b", "ST", "OP"}, &stopped), "a\nb");
  EXPECT_TRUE(stopped);
}

TEST(OutputText, StopAcrossMultibyteCharacter) {
  OutputText out({"é!"});
  bool stopped = false;
  EXPECT_EQ(feed(out, {"x\xC3", "\xA9", "!y"}, &stopped), "x");
  EXPECT_TRUE(stopped);
}

TEST(OutputText, HeldTextFlushesAtTheEnd) {
  OutputText out({"stop here"});
  out.append("we stop");
  EXPECT_EQ(out.take_ready(), "we ");
  EXPECT_EQ(out.flush(), "stop");
}

}  // namespace
}  // namespace tiergate::embedded
