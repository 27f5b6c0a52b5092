#pragma once
// Turns the bytes of sampled tokens into the text a client may see, piece by piece:
// - a token can end in the middle of a UTF-8 character: its bytes wait for the rest;
// - bytes that can never form valid UTF-8 become U+FFFD, so every piece is valid UTF-8;
// - text that may be the beginning of a stop sequence waits until it is known not to be one, and a
//   stop sequence itself (and everything after it) is never released.

#include <string>
#include <string_view>
#include <vector>

namespace tiergate::embedded {

class OutputText {
 public:
  explicit OutputText(std::vector<std::string> stops = {});

  // Appends a token's bytes. Returns true when a stop sequence is now complete; the text before it
  // stays releasable, the rest is dropped, and further appends are ignored.
  bool append(std::string_view bytes);
  // Moves out the text that is safe to send now (possibly empty).
  std::string take_ready();
  // End of generation: moves out everything still held (an unfinished character becomes U+FFFD).
  std::string flush();
  bool stopped() const { return stopped_; }

 private:
  void decode_pending(bool final);
  size_t held_suffix() const;  // bytes at the end of text_ that could start a stop sequence

  std::vector<std::string> stops_;
  std::string pending_;  // raw bytes not yet decoded: an incomplete UTF-8 sequence
  std::string text_;     // valid UTF-8 not yet released
  bool stopped_ = false;
};

// `bytes` as valid UTF-8: invalid or truncated sequences become U+FFFD. For token strings in
// logprobs, which may be a fragment of a character.
std::string sanitize_utf8(std::string_view bytes);

// True when `s` is valid UTF-8 (for tests and debug checks).
bool is_valid_utf8(std::string_view s);

}  // namespace tiergate::embedded
