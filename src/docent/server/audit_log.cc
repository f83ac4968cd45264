// The audit trail: append-only JSON lines, one write(2) each.
#include "docent/server/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

namespace docent::server {
namespace {

// RFC 3339, UTC, milliseconds.
std::string Rfc3339Now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return IOError("cannot open the audit log " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<AuditLog>(new AuditLog(fd));
}

AuditLog::~AuditLog() {
  ::close(fd_);
}

void AuditLog::Append(const AuditEntry& e) {
  nlohmann::json line = {{"time", Rfc3339Now()},
                         {"key", e.key_id ? nlohmann::json(*e.key_id) : nlohmann::json(nullptr)},
                         {"workspace", e.workspace},
                         {"action", e.action},
                         {"question", e.question},
                         {"documents", e.documents},
                         {"status", e.status}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::lock_guard lock(mu_);
  // O_APPEND: each write lands whole at the end. A short write (disk full) is retried for
  // the rest; an audit line that cannot be written is lost, the request is not.
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace docent::server
