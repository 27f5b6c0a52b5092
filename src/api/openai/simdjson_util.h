#pragma once
// Internal to api/openai: small helpers over simdjson's DOM.

#include <simdjson.h>

namespace tiergate::api::detail {

// By value: a reference into a temporary simdjson_result would dangle inside a range-for.
// REQUIRES: the caller checked the element's type (an empty array/object is returned otherwise).
inline simdjson::dom::object as_object(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get(o) != simdjson::SUCCESS) return {};
  return o;
}
inline simdjson::dom::array as_array(simdjson::dom::element e) {
  simdjson::dom::array a;
  if (e.get(a) != simdjson::SUCCESS) return {};
  return a;
}

// One parser per thread, reused across requests (its buffers grow to the largest document seen).
inline simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace tiergate::api::detail
