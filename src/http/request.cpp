#include "http/request.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace tiergate::http {

std::string_view Request::header(std::string_view name) const {
  for (const Field& f : fields_) {
    const std::string_view n = std::string_view(text_).substr(f.name, f.name_size);
    if (boost::beast::iequals(n, name))
      return std::string_view(text_).substr(f.value, f.value_size);
  }
  return {};
}

bool Request::expects_continue() const {
  return version_ == 11 && boost::beast::iequals(header("expect"), "100-continue");
}

Request RequestReader::release() {
  request_.keep_alive_ = keep_alive();
  return std::move(request_);
}

void Request::set_target(std::string_view target, size_t head_size) {
  text_.reserve(head_size);
  text_.assign(target.data(), target.size());
  target_size_ = static_cast<uint32_t>(target.size());
}

void Request::add_field(std::string_view name, std::string_view value) {
  const auto at = static_cast<uint32_t>(text_.size());
  text_.append(name.data(), name.size());
  text_.append(value.data(), value.size());
  fields_.push_back({at, static_cast<uint32_t>(name.size()),
                     at + static_cast<uint32_t>(name.size()), static_cast<uint32_t>(value.size())});
}

void RequestReader::on_request_impl(boost::beast::http::verb method, string_view,
                                    string_view target, int version, error_code&) {
  request_.method_ = method;
  request_.version_ = static_cast<unsigned>(version);
  request_.set_target(target, target.size() + 256);
}

void RequestReader::on_field_impl(boost::beast::http::field, string_view name, string_view value,
                                  error_code&) {
  request_.add_field(name, value);
}

void RequestReader::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // The parser has already refused a length over its body limit.
  if (content_length) request_.body_.reserve(static_cast<size_t>(*content_length));
}

size_t RequestReader::on_body_impl(string_view body, error_code&) {
  request_.body_.append(body.data(), body.size());
  return body.size();
}

}  // namespace tiergate::http
