// The anchored patterns (detectors.h: anchored_patterns), matched at their literal by the byte
// pass. Each function reports exactly the ends at which Hyperscan reports a match of the regex
// that starts at t[i] (Hyperscan reports every end once, and none of these regexes has
// look-around), so the scanner's grouping and refiners see the same hits as before.

#include <algorithm>
#include <array>

#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy::byte_pass {

// @[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}: labels of [A-Za-z0-9-] joined by single
// dots; a match ends wherever the part after the last dot (there is one) is 2 to 24 letters.
// "..", "@." or any other byte ends the domain.
void email_ends(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  size_t label = 0;
  bool dot = false, letters = true;
  for (size_t j = i + 1; j < t.size(); ++j) {
    const char ch = t[j];
    if (ch == '.') {
      if (label == 0) return;
      dot = true;
      label = 0;
      letters = true;
      continue;
    }
    if (!is_alnum(ch) && ch != '-') return;
    ++label;
    letters = letters && is_alpha(ch);
    if (dot && letters && label >= 2 && label <= 24) c.hit(AnchoredPattern::kEmail, i, j + 1);
  }
}

// ://[^\s:/@"'<>]{1,64}: : the class has no ':', so the one possible end is after the first ':'
// past the run (\s: \t \n \v \f \r and space).
void url_password_end(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  static constexpr std::array<bool, 256> kUser = [] {
    std::array<bool, 256> a{};
    for (int ch = 0; ch < 256; ++ch)
      a[ch] = !(ch >= '\t' && ch <= '\r') &&
              std::string_view(" :/@\"'<>").find(static_cast<char>(ch)) == std::string_view::npos;
    return a;
  }();
  const size_t from = i + 3, limit = std::min(t.size(), from + 64);
  size_t j = from;
  while (j < limit && kUser[static_cast<unsigned char>(t[j])]) ++j;
  if (j > from && j < t.size() && t[j] == ':') c.hit(AnchoredPattern::kUrlPassword, i, j + 1);
}

// eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{2,}\. : the segments cannot hold a dot, so each is the
// whole run of token bytes before its dot; one end.
void jwt_end(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (t.substr(i, 3) != "eyJ") return;
  size_t j = i + 3;
  while (j < t.size() && token_byte(t[j])) ++j;
  if (j - (i + 3) < 4 || j >= t.size() || t[j] != '.') return;
  size_t k = j + 1;
  while (k < t.size() && token_byte(t[k])) ++k;
  if (k - (j + 1) < 2 || k >= t.size() || t[k] != '.') return;
  c.hit(AnchoredPattern::kJwt, i, k + 1);
}

// bearer[ \t], any case.
void bearer_end(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (istarts(t, i, "bearer") && i + 6 < t.size() && (t[i + 6] == ' ' || t[i + 6] == '\t'))
    c.hit(AnchoredPattern::kBearer, i, i + 7);
}

}  // namespace tiergate::privacy::byte_pass
