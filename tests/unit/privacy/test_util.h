#pragma once
// Shared helpers of the privacy tests.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "route/signals/privacy/scanner.h"

namespace tiergate::privacy::testing {

inline std::shared_ptr<const Scanner> make_scanner(const PrivacyConfig& cfg = {}) {
  auto s = Scanner::create(cfg);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? *s : nullptr;
}

inline const Scanner& default_scanner() {
  static std::shared_ptr<const Scanner> s = make_scanner();
  return *s;
}

// (label, matched text) pairs, in text order.
inline std::vector<std::pair<std::string, std::string>> findings(
    std::string_view text, const Scanner& s = default_scanner()) {
  std::vector<std::pair<std::string, std::string>> out;
  auto r = s.scan(text);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r) return out;
  for (const auto& e : *r)
    out.emplace_back(std::string(e.label), std::string(text.substr(e.begin, e.end - e.begin)));
  return out;
}

using Found = std::vector<std::pair<std::string, std::string>>;

}  // namespace tiergate::privacy::testing
