// OpenAI request JSON: parse, write the upstream body, parse that again (must succeed).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/openai/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto req = tiergate::api::parse_chat_request(body);
  if (!req) return 0;
  for (bool stream : {false, true}) {
    std::string upstream = tiergate::api::write_upstream_request(*req, req->model, stream);
    auto again = tiergate::api::parse_chat_request(upstream);
    if (!again) __builtin_trap();  // what we send upstream must be a valid request
    if (again->messages.size() != req->messages.size()) __builtin_trap();
  }
  return 0;
}
