// Status -> OpenAI-shaped JSON error bodies.
#include "docent/server/http_errors.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace docent::server {
namespace {

// "InvalidArgument" -> "invalid_argument", the spelling of OpenAI's error codes.
std::string SnakeCase(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string ErrorType(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kTooLarge:
    case StatusCode::kUnsupported:
    case StatusCode::kCorrupt:
    case StatusCode::kUnprocessable:
    case StatusCode::kUnauthenticated:  // as OpenAI answers a bad key
      return "invalid_request_error";
    case StatusCode::kPermissionDenied:
      return "permission_error";
    case StatusCode::kNotFound:
      return "not_found_error";
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return "conflict_error";
    case StatusCode::kResourceExhausted:
      return "rate_limit_error";
    case StatusCode::kUnavailable:
      return "service_unavailable_error";
    case StatusCode::kCancelled:
      return "cancelled_error";
    default:
      return "server_error";
  }
}

std::string ErrorBody(const Status& status) {
  nlohmann::json body = {{"error",
                          {{"message", status.message()},
                           {"type", ErrorType(status.code())},
                           {"code", SnakeCase(StatusCodeName(status.code()))}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendError(httplib::Response& res, const Status& status) {
  res.status = HttpStatusFor(status.code());
  if (status.code() == StatusCode::kResourceExhausted) {
    res.set_header("Retry-After", std::to_string(kRetryAfterSeconds));
  }
  res.set_content(ErrorBody(status), "application/json");
}

}  // namespace docent::server
