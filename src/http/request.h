#pragma once
// A request as the server hands it to handlers, and the reader that fills it: Beast's HTTP/1.1
// parser (framing, chunked bodies, limits, validation) without Beast's field container. The
// target and every field are copied once into one string and looked up by name; no allocation
// per field (the official SDKs send a dozen).

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tiergate::http {

struct FastRequestHead;

class Request {
 public:
  boost::beast::http::verb method() const { return method_; }
  std::string_view target() const { return std::string_view(text_).substr(0, target_size_); }
  unsigned version() const { return version_; }  // 10 or 11
  bool keep_alive() const { return keep_alive_; }
  // The value of the first field called `name` (in any case), or empty.
  std::string_view header(std::string_view name) const;
  // HTTP/1.1 with `Expect: 100-continue`: the client waits for a 100 before it sends the body
  // (curl does for bodies over 1 MiB, and waits a second when none comes).
  bool expects_continue() const;
  // Calls fn(name, value) for every field, in order.
  template <class Fn>
  void for_each_header(Fn&& fn) const {
    for (const Field& f : fields_)
      fn(std::string_view(text_).substr(f.name, f.name_size),
         std::string_view(text_).substr(f.value, f.value_size));
  }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

 private:
  friend class RequestReader;
  friend std::optional<FastRequestHead> parse_request_head(std::string_view, size_t, uint64_t,
                                                           Request&);
  struct Field {
    uint32_t name, name_size, value, value_size;  // in text_
  };
  // The head is parsed in this order: the target first, then each field. The head's size limit
  // (far below 4 GiB) bounds the offsets.
  void set_target(std::string_view target, size_t head_size);
  void add_field(std::string_view name, std::string_view value);

  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  uint32_t target_size_ = 0;
  std::string text_;  // the target, then each field's name and value
  boost::container::small_vector<Field, 24> fields_;
  std::string body_;
};

class RequestReader : public boost::beast::http::basic_parser<true> {
 public:
  // The request, once is_done().
  Request release();
  // The request line and fields, once the head is parsed (the body may still be on its way).
  const Request& head() const { return request_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_string,
                       string_view target, int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return on_body_impl(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  Request request_;
};

}  // namespace tiergate::http
