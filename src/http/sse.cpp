#include "http/sse.h"

namespace tiergate::http {

bool SseParser::feed(std::string_view bytes, const Callback& on_event) {
  for (size_t i = 0; i < bytes.size();) {
    char c = bytes[i];
    if (last_was_cr_ && c == '\n') {  // the \n of a \r\n pair
      last_was_cr_ = false;
      ++i;
      continue;
    }
    last_was_cr_ = false;
    if (c == '\n' || c == '\r') {
      last_was_cr_ = (c == '\r');
      line_done(on_event);
      ++i;
      continue;
    }
    // Copy the run of ordinary bytes at once.
    size_t j = i;
    while (j < bytes.size() && bytes[j] != '\n' && bytes[j] != '\r') ++j;
    line_.append(bytes.data() + i, j - i);
    if (line_.size() + data_.size() > max_event_bytes_) return false;
    i = j;
  }
  return true;
}

void SseParser::line_done(const Callback& on_event) {
  if (line_.empty()) {  // blank line: dispatch
    if (has_data_) on_event(Event{event_, data_});
    data_.clear();
    event_.clear();
    has_data_ = false;
    return;
  }
  std::string_view line = line_;
  if (line.front() != ':') {
    auto colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      if (has_data_) data_ += '\n';
      data_.append(value);
      has_data_ = true;
    } else if (field == "event") {
      event_.assign(value);
    }
    // id and retry fields mean nothing to a relay of one response.
  }
  line_.clear();
}

}  // namespace tiergate::http
