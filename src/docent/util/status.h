// Status and Result<T>: how every module reports an expected failure to its caller.
//
// Errors are values at module boundaries; exceptions never cross one. The set of codes is
// small on purpose: each maps to exactly one HTTP status (see HttpStatusFor), so a failure
// deep in an extractor reaches the wire with the right status and a message that names what
// was wrong and where.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace docent {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed (bad JSON, bad flag)       -> 400
  kNotFound,            // no such document, file or id                               -> 404
  kAlreadyExists,       // a unique thing exists already                              -> 409
  kFailedPrecondition,  // the operation is not allowed in the current state          -> 409
  kTooLarge,            // over a configured size limit (upload, zip bomb, file)      -> 413
  kUnsupported,         // a format, type or architecture docent does not handle      -> 415
  kCorrupt,             // the input claims a format but breaks it (bad PDF, GGUF)     -> 422
  kUnprocessable,       // well-formed but invalid values (k = -1, an empty question)  -> 422
  kResourceExhausted,   // a queue or pool is full; retry later                        -> 429
  kIOError,             // the OS or SQLite failed                                      -> 500
  kInternal,            // a bug                                                        -> 500
  kUnavailable,         // shutting down, or not ready yet                              -> 503
  kCancelled,           // the client went away or the operation was cancelled          -> 499
  kUnauthenticated,     // no API key, or a wrong one                                   -> 401
  kPermissionDenied,    // a valid key without the right or the workspace asked for    -> 403
};

std::string_view StatusCodeName(StatusCode code);
int HttpStatusFor(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "Corrupt: report.pdf: xref table is damaged"
  std::string ToString() const;

  // Prefixes the message with context ("report.pdf: ...") and keeps the code.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status AlreadyExists(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status TooLarge(std::string m) {
  return {StatusCode::kTooLarge, std::move(m)};
}
inline Status Unsupported(std::string m) {
  return {StatusCode::kUnsupported, std::move(m)};
}
inline Status Corrupt(std::string m) {
  return {StatusCode::kCorrupt, std::move(m)};
}
inline Status Unprocessable(std::string m) {
  return {StatusCode::kUnprocessable, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status IOError(std::string m) {
  return {StatusCode::kIOError, std::move(m)};
}
inline Status Internal(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}
inline Status Unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Cancelled(std::string m) {
  return {StatusCode::kCancelled, std::move(m)};
}

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit on purpose, like StatusOr
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & {
    assert(ok() && "value() on an error Result");
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok() && "value() on an error Result");
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok() && "value() on an error Result");
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace docent

#define DOCENT_CONCAT_INNER_(a, b) a##b
#define DOCENT_CONCAT_(a, b) DOCENT_CONCAT_INNER_(a, b)

#define DOCENT_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::docent::Status docent_st_ = (expr);    \
    if (!docent_st_.ok()) return docent_st_; \
  } while (0)

#define DOCENT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

// DOCENT_ASSIGN_OR_RETURN(auto doc, Extract(path));
#define DOCENT_ASSIGN_OR_RETURN(lhs, expr) \
  DOCENT_ASSIGN_OR_RETURN_IMPL_(DOCENT_CONCAT_(docent_res_, __LINE__), lhs, expr)
