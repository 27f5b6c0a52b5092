// The privacy scanner (all built-in entities) on arbitrary text: results sorted, non-overlapping,
// inside the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "route/signals/privacy/scanner.h"

using tiergate::privacy::Scanner;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto scanner = [] {
    auto s = Scanner::create(tiergate::privacy::PrivacyConfig{});
    if (!s) std::abort();
    return *s;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entities = scanner->scan(text);
  if (!entities) return 0;
  size_t last_end = 0;
  for (const auto& e : *entities) {
    if (e.begin < last_end || e.end < e.begin || e.end > text.size()) __builtin_trap();
    last_end = e.end;
  }
  return 0;
}
