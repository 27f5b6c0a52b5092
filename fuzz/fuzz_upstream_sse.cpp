// Upstream SSE stream: the parser fed in two pieces split at a data-derived point, each event's
// data parsed as a chat.completion.chunk. Also checks that the split does not change the events.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/openai/json.h"
#include "http/sse.h"

namespace {

std::vector<std::string> run(std::string_view input, size_t split, size_t step) {
  tiergate::http::SseParser parser(64 << 10);
  std::vector<std::string> events;
  auto on_event = [&](const tiergate::http::SseParser::Event& e) {
    events.emplace_back(std::string(e.event) + '\0' + std::string(e.data));
    if (e.data != "[DONE]") (void)tiergate::api::parse_upstream_chunk(e.data);
  };
  bool ok = parser.feed(input.substr(0, split), on_event);
  std::string_view rest = input.substr(split);
  while (ok && !rest.empty()) {
    size_t n = std::min(step, rest.size());
    ok = parser.feed(rest.substr(0, n), on_event);
    rest.remove_prefix(n);
  }
  if (!ok) events.emplace_back("<overflow>");
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t split = data[0] % size;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  split = std::min(split, input.size());
  auto whole = run(input, input.size(), 1);
  auto pieces = run(input, split, 1 + (data[0] >> 5));
  // Chunk boundaries must not change the events (unless the size limit was hit).
  if (whole != pieces && (whole.empty() || whole.back() != "<overflow>") &&
      (pieces.empty() || pieces.back() != "<overflow>"))
    __builtin_trap();
  return 0;
}
