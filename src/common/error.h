#pragma once
// The error type of the request path. No exceptions cross it: functions return Result<T>.

#include <expected>
#include <string>
#include <utility>

namespace tiergate {

// Where an error came from: decides the HTTP status family and whether another tier may help.
enum class ErrorSource { kClient, kUpstream, kInternal };

enum class ErrorCode {
  kInvalidRequest,      // 400: malformed JSON, wrong types, missing fields
  kUnknownModel,        // 400 model_not_found
  kUnauthorized,        // 401
  kForbidden,           // 403: e.g. privacy policy refuses every tier
  kNotFound,            // 404: unknown path
  kMethodNotAllowed,    // 405
  kPayloadTooLarge,     // 413
  kHeadersTooLarge,     // 431
  kContextTooLong,      // 400 context_length_exceeded
  kRateLimited,         // 429: queue full, upstream 429
  kUpstreamError,       // 502: refused, reset, 5xx, malformed answer
  kUpstreamTimeout,     // 504
  kUnavailable,         // 503: no tier can serve
  kCancelled,           // client went away
  kInternal,            // 500
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  ErrorSource source = ErrorSource::kInternal;
  std::string message;
  // True when trying another tier may succeed (connection refused, 5xx, 429, timeout before first byte).
  bool retryable = false;
  int upstream_status = 0;      // HTTP status the upstream answered, if any
  int retry_after_seconds = 0;  // for kRateLimited

  static Error client(ErrorCode code, std::string message) {
    return Error{code, ErrorSource::kClient, std::move(message), false};
  }
  static Error upstream(ErrorCode code, std::string message, bool retryable = true) {
    return Error{code, ErrorSource::kUpstream, std::move(message), retryable};
  }
  static Error internal(std::string message) {
    return Error{ErrorCode::kInternal, ErrorSource::kInternal, std::move(message), false};
  }
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

// HTTP status and OpenAI error `type` / `code` strings for an error.
int http_status(const Error& e);
const char* error_type(const Error& e);
const char* error_code_name(ErrorCode code);

}  // namespace tiergate
