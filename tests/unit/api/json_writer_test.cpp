// JsonWriter's string escaping: the 16-byte fast path finds every byte JSON must escape, wherever
// it sits (block starts and ends, the scalar tail), and leaves everything else as is (UTF-8 too).

#include "common/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>

namespace tiergate {
namespace {

// The obvious byte loop, as the reference.
std::string reference(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string escaped(std::string_view s) {
  std::string out;
  JsonWriter::append_string(out, s);
  return out;
}

TEST(JsonWriterEscape, EverySpecialByteAtEveryOffset) {
  const std::string specials = std::string("\"\\\n\r\t\b\f\x01\x1f", 9) + std::string(1, '\0');
  for (size_t len : {1, 15, 16, 17, 31, 32, 33, 47, 64}) {
    for (size_t at = 0; at < len; ++at) {
      for (char sp : specials) {
        std::string s(len, 'a');
        s[at] = sp;
        ASSERT_EQ(escaped(s), reference(s)) << "len " << len << " at " << at << " byte "
                                            << int(static_cast<unsigned char>(sp));
      }
    }
  }
}

TEST(JsonWriterEscape, LeavesUtf8AndHighBytesAlone) {
  const std::string s = "caf\xc3\xa9 \xe2\x82\xac 100 \x7f \xff\xfe plain text longer than sixteen";
  EXPECT_EQ(escaped(s), "\"" + s + "\"");
  EXPECT_EQ(escaped(""), "\"\"");
}

TEST(JsonWriterEscape, RandomTextMatchesTheReferenceAndParses) {
  std::mt19937 rng(7);
  simdjson::dom::parser parser;
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 80, ' ');
    for (char& c : s) {
      const unsigned r = rng() % 100;
      c = r < 8 ? static_cast<char>(rng() % 0x20) : r < 12 ? '"' : r < 16 ? '\\' : static_cast<char>('a' + rng() % 26);
    }
    const std::string out = escaped(s);
    ASSERT_EQ(out, reference(s));
    std::string_view back;
    ASSERT_EQ(parser.parse(out).get_string().get(back), simdjson::SUCCESS) << out;
    ASSERT_EQ(back, s);
  }
}

}  // namespace
}  // namespace tiergate
