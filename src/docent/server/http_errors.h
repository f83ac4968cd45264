// The one place where a Status becomes an HTTP error: the status code from HttpStatusFor and
// the JSON body OpenAI clients expect, {"error": {"message", "type", "code"}}.
#pragma once

#include <string>

#include "docent/util/status.h"

namespace httplib {
struct Response;
}

namespace docent::server {

// How long a client told 429 (a full queue) should wait before retrying.
inline constexpr int kRetryAfterSeconds = 2;

// Writes the status's HTTP code and ErrorBody into `res`, with Retry-After on a 429.
void SendError(httplib::Response& res, const Status& status);

// {"error": {"message": ..., "type": ..., "code": ...}} for a non-OK status.
std::string ErrorBody(const Status& status);

// The OpenAI-style error type for a code: invalid_request_error, not_found_error, ...
std::string ErrorType(StatusCode code);

}  // namespace docent::server
