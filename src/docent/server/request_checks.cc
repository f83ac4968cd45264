// Request validation shared by the routes.
#include "docent/server/request_checks.h"

#include <charconv>

#include "docent/util/utf8.h"

namespace docent::server {

Result<nlohmann::json> ParseJsonObject(std::string_view content_type, std::string_view body,
                                       uint64_t max_bytes) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type != "application/json") {
    return Unsupported("expected Content-Type: application/json, got '" +
                       std::string(content_type.substr(0, 100)) + "'");
  }
  if (body.size() > max_bytes) {
    return TooLarge("the JSON body is " + std::to_string(body.size()) +
                    " bytes, over the limit of " + std::to_string(max_bytes));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " +
                           std::string(e.what()).substr(0, 200));
  } catch (const nlohmann::json::exception& e) {
    // Well-formed syntax the parser still refuses, e.g. a number too large for a double
    // (out_of_range.406, found by fuzz_request).
    return InvalidArgument(std::string("unreadable JSON: ") + std::string(e.what()).substr(0, 200));
  }
  if (!j.is_object()) return InvalidArgument("the JSON body must be an object");
  return j;
}

Result<std::string> RequiredString(const nlohmann::json& body, const char* key, size_t max_bytes) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    return InvalidArgument(std::string("missing field \"") + key + "\"");
  }
  if (!it->is_string()) return Unprocessable(std::string("\"") + key + "\" must be a string");
  std::string v = it->get<std::string>();
  bool blank = v.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) return Unprocessable(std::string("\"") + key + "\" is empty");
  if (v.size() > max_bytes) {
    return Unprocessable(std::string("\"") + key + "\" is longer than " +
                         std::to_string(max_bytes) + " bytes");
  }
  return v;
}

Result<int64_t> OptionalInt(const nlohmann::json& body, const char* key, int64_t fallback,
                            int64_t lo, int64_t hi) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) {
    return Unprocessable(std::string("\"") + key + "\" must be an integer");
  }
  int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return Unprocessable(std::string("\"") + key + "\" must be between " + std::to_string(lo) +
                         " and " + std::to_string(hi));
  }
  return v;
}

Result<bool> OptionalBool(const nlohmann::json& body, const char* key, bool fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return Unprocessable(std::string("\"") + key + "\" must be true or false");
  return it->get<bool>();
}

Result<std::string> OptionalString(const nlohmann::json& body, const char* key,
                                   std::string fallback, size_t max_bytes) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) return Unprocessable(std::string("\"") + key + "\" must be a string");
  std::string value = it->get<std::string>();
  if (value.size() > max_bytes) {
    return Unprocessable(std::string("\"") + key + "\" is over " + std::to_string(max_bytes) +
                         " bytes");
  }
  return value;
}

Result<int64_t> ParseId(std::string_view segment, const char* what) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), v);
  if (ec != std::errc() || end != segment.data() + segment.size() || v <= 0) {
    return InvalidArgument(std::string(what) + " id must be a positive integer, got '" +
                           std::string(segment.substr(0, 40)) + "'");
  }
  return v;
}

Status CheckUploadName(std::string_view name) {
  if (name.empty()) return InvalidArgument("an uploaded file has no file name");
  if (name.size() > 255) return InvalidArgument("file name is longer than 255 bytes");
  if (!util::IsValidUtf8(name)) return InvalidArgument("file name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument("file name holds a control character");
    if (c == '/' || c == '\\' || c == ':') {
      return InvalidArgument("file name '" + std::string(name) +
                             "' holds a path separator; send the bare name");
    }
  }
  if (name.front() == '.') {
    return InvalidArgument("file name '" + std::string(name) + "' is hidden or a relative path");
  }
  return Status::Ok();
}

}  // namespace docent::server
