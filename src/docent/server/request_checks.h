// Checks every request passes before it may touch the store: JSON bodies (content type,
// size, syntax, fields), ids in paths and upload file names. Each failure is a Status that
// names what was wrong, and nothing has been written when one is returned.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "docent/util/status.h"

namespace docent::server {

// The body as a JSON object. Unsupported (415) for another content type, TooLarge (413) over
// `max_bytes`, InvalidArgument (400) for a syntax error (with its byte position) or a
// non-object.
Result<nlohmann::json> ParseJsonObject(std::string_view content_type, std::string_view body,
                                       uint64_t max_bytes);

// body[key] as a non-empty string: InvalidArgument when missing, Unprocessable (422) when of
// another type, empty, or over max_chars bytes.
Result<std::string> RequiredString(const nlohmann::json& body, const char* key,
                                   size_t max_bytes = 16 * 1024);
// body[key] as an integer in [lo, hi], `fallback` when absent; Unprocessable otherwise.
Result<int64_t> OptionalInt(const nlohmann::json& body, const char* key, int64_t fallback,
                            int64_t lo, int64_t hi);
// body[key] as a bool, `fallback` when absent or null; Unprocessable otherwise.
Result<bool> OptionalBool(const nlohmann::json& body, const char* key, bool fallback);
// body[key] as a string of at most max_bytes, `fallback` when absent or null; Unprocessable
// otherwise.
Result<std::string> OptionalString(const nlohmann::json& body, const char* key,
                                   std::string fallback, size_t max_bytes = 256);

// A document id from a path segment: InvalidArgument unless a positive decimal integer.
Result<int64_t> ParseId(std::string_view segment, const char* what);

// An upload's file name as the store will key it. InvalidArgument for an empty name, a path
// ("../x", "a/b", "C:\\x"), a hidden name, control characters or invalid UTF-8.
Status CheckUploadName(std::string_view name);

}  // namespace docent::server
