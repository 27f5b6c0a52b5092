#pragma once
// Server-Sent Events: an incremental parser for upstream streams (any chunking, \n, \r\n or \r line
// ends, multi-line data, comments) and the framing tiergate writes.

#include <functional>
#include <string>
#include <string_view>

namespace tiergate::http {

class SseParser {
 public:
  struct Event {
    std::string_view event;  // the `event:` field, empty for the default "message"
    std::string_view data;   // data lines joined with '\n'
  };
  // Valid only during the callback.
  using Callback = std::function<void(const Event&)>;

  explicit SseParser(size_t max_event_bytes = 8 << 20) : max_event_bytes_(max_event_bytes) {}

  // Feeds bytes; calls `on_event` for each complete event. Returns false if an event grew past
  // max_event_bytes (the stream is then unusable).
  bool feed(std::string_view bytes, const Callback& on_event);
  // True when a partial line or event is buffered (a stream that ends here was cut).
  bool pending() const { return !line_.empty() || has_data_; }

 private:
  void line_done(const Callback& on_event);

  size_t max_event_bytes_;
  std::string line_;
  std::string data_;
  std::string event_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

// Appends `data: <json>\n\n`.
inline void append_sse_data(std::string& out, std::string_view json) {
  out += "data: ";
  out += json;
  out += "\n\n";
}

}  // namespace tiergate::http
