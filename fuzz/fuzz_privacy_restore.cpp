// Redaction and restoration. Input: [step byte] user message '\0' simulated model output.
// The user message is redacted; then
//   - restoring the redacted message gives the original message back (round trip);
//   - the model output restored through a StreamRestorer in `step`-byte chunks equals
//     Redactor::restore on the whole output (plain text and JSON modes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/openai/chat.h"
#include "route/signals/privacy/redactor.h"
#include "route/signals/privacy/scanner.h"

using namespace tiergate;

namespace {

std::string stream_restore(const privacy::Redactor& redactor, std::string_view text, size_t step,
                           bool json) {
  privacy::StreamRestorer restorer(redactor, json);
  std::string out;
  while (!text.empty()) {
    size_t n = std::min(step, text.size());
    out += restorer.push(text.substr(0, n));
    text.remove_prefix(n);
  }
  out += restorer.finish();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto scanner = [] {
    auto s = privacy::Scanner::create(privacy::PrivacyConfig{});
    if (!s) std::abort();
    return *s;
  }();
  if (size < 1) return 0;
  const size_t step = 1 + data[0] % 16;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t sep = input.find('\0');
  const std::string_view message = input.substr(0, sep);
  const std::string_view output =
      sep == std::string_view::npos ? std::string_view{} : input.substr(sep + 1);

  api::ChatRequest request;
  request.model = "fuzz";
  api::ChatMessage user;
  user.role = "user";
  user.content.push_back({api::ContentPart::Kind::kText, std::string(message), {}});
  request.messages.push_back(std::move(user));

  privacy::Redactor redactor(scanner);
  auto scan = redactor.redact(request);
  if (!scan) return 0;  // fail closed: nothing to restore

  const std::string& redacted = request.messages[0].content[0].text;
  if (redactor.restore(redacted) != message) __builtin_trap();

  for (bool json : {false, true}) {
    const std::string whole = json ? redactor.restore_json(output) : redactor.restore(output);
    if (stream_restore(redactor, output, step, json) != whole) __builtin_trap();
    if (stream_restore(redactor, redacted, step, json) !=
        (json ? redactor.restore_json(redacted) : redactor.restore(redacted)))
      __builtin_trap();
  }
  return 0;
}
