#include "tiers/embedded/output_text.h"

#include <algorithm>
#include <utility>

namespace tiergate::embedded {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

enum class Scan { kValid, kInvalid, kIncomplete };

// Looks at the sequence starting at s[0]; sets `len` to its length when valid.
Scan scan_char(std::string_view s, size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return len = 1, Scan::kValid;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return Scan::kInvalid;
  }
  for (size_t i = 1; i < len; ++i) {
    if (i >= s.size()) return Scan::kIncomplete;
    const auto b = static_cast<unsigned char>(s[i]);
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return Scan::kInvalid;
  }
  return Scan::kValid;
}

// Appends the valid part of `in` to `out` (invalid bytes as U+FFFD) and returns how many bytes at
// the end form an incomplete sequence (0 when `final`: those become U+FFFD too).
size_t decode_into(std::string_view in, std::string& out, bool final) {
  size_t i = 0;
  while (i < in.size()) {
    size_t len = 0;
    switch (scan_char(in.substr(i), len)) {
      case Scan::kValid:
        out.append(in.substr(i, len));
        i += len;
        break;
      case Scan::kInvalid:
        out.append(kReplacement);
        i += 1;
        break;
      case Scan::kIncomplete:
        if (!final) return in.size() - i;
        out.append(kReplacement);
        return 0;
    }
  }
  return 0;
}

}  // namespace

OutputText::OutputText(std::vector<std::string> stops) {
  for (auto& s : stops)
    if (!s.empty()) stops_.push_back(std::move(s));
}

void OutputText::decode_pending(bool final) {
  std::string decoded;
  const size_t rest = decode_into(pending_, decoded, final);
  text_ += decoded;
  pending_.erase(0, pending_.size() - rest);
}

bool OutputText::append(std::string_view bytes) {
  if (stopped_) return true;
  pending_.append(bytes);
  decode_pending(false);
  size_t first = std::string::npos;
  for (const auto& stop : stops_) first = std::min(first, text_.find(stop));
  if (first == std::string::npos) return false;
  // Nothing released so far can be part of this match: released text never ends in a stop prefix.
  text_.resize(first);
  pending_.clear();
  stopped_ = true;
  return true;
}

size_t OutputText::held_suffix() const {
  size_t held = 0;
  for (const auto& stop : stops_) {
    const size_t max = std::min(stop.size() - 1, text_.size());
    for (size_t n = max; n > held; --n) {
      if (text_.compare(text_.size() - n, n, stop, 0, n) == 0) {
        held = n;
        break;
      }
    }
  }
  return held;
}

std::string OutputText::take_ready() {
  const size_t keep = stopped_ ? 0 : held_suffix();
  std::string ready = text_.substr(0, text_.size() - keep);
  text_.erase(0, text_.size() - keep);
  return ready;
}

std::string OutputText::flush() {
  if (!stopped_) decode_pending(true);
  pending_.clear();
  return std::exchange(text_, {});
}

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  decode_into(bytes, out, true);
  return out;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 0;
    if (scan_char(s.substr(i), len) != Scan::kValid) return false;
    i += len;
  }
  return true;
}

}  // namespace tiergate::embedded
