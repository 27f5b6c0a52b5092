#include "common/error.h"

namespace tiergate {

int http_status(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidRequest: return 400;
    case ErrorCode::kUnknownModel: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kHeadersTooLarge: return 431;
    case ErrorCode::kContextTooLong: return 400;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kUpstreamError: return 502;
    case ErrorCode::kUpstreamTimeout: return 504;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kCancelled: return 499;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

const char* error_type(const Error& e) {
  switch (e.code) {
    case ErrorCode::kUnauthorized: return "authentication_error";
    case ErrorCode::kForbidden: return "permission_error";
    case ErrorCode::kNotFound:
    case ErrorCode::kUnknownModel: return "not_found_error";
    case ErrorCode::kRateLimited: return "rate_limit_error";
    case ErrorCode::kUpstreamError:
    case ErrorCode::kUpstreamTimeout:
    case ErrorCode::kUnavailable: return "upstream_error";
    case ErrorCode::kInternal:
    case ErrorCode::kCancelled: return "server_error";
    default: return "invalid_request_error";
  }
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest: return "invalid_request";
    case ErrorCode::kUnknownModel: return "model_not_found";
    case ErrorCode::kUnauthorized: return "invalid_api_key";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kHeadersTooLarge: return "headers_too_large";
    case ErrorCode::kContextTooLong: return "context_length_exceeded";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kUpstreamError: return "upstream_error";
    case ErrorCode::kUpstreamTimeout: return "upstream_timeout";
    case ErrorCode::kUnavailable: return "service_unavailable";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal_error";
  }
  return "internal_error";
}

}  // namespace tiergate
