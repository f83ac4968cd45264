// The audit trail (serve --audit-log FILE): one JSON line per search, answer, upload,
// deletion and workspace change, allowed or refused, written when its outcome is known:
//   {"time":"2026-12-07T05:41:09.123Z","key":"k-1a2b3c4d5e6f","workspace":"hr",
//    "action":"ask","question":"...","documents":[3,7],"status":200}
// `key` is the key's id (auth.h), never the key; null on a server without keys. The file is
// opened for appending only and each line goes out in one write(2) with no buffer in between,
// so lines from concurrent requests never interleave and a crash loses at most the line
// being written.
// Thread safety: Append may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "docent/util/status.h"

namespace docent::server {

struct AuditEntry {
  const std::string* key_id = nullptr;  // null: no key (a server without keys, or a 401)
  std::string workspace;
  std::string action;    // search, ask, upload, delete, workspace_create, workspace_delete
  std::string question;  // the query or question; empty for other actions
  std::vector<int64_t> documents;  // cited, found, uploaded or deleted document ids
  int status = 200;                // the HTTP status answered
};

class AuditLog {
 public:
  // Opens (creating with mode 0600) `path` for appending.
  static Result<std::unique_ptr<AuditLog>> Open(const std::filesystem::path& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void Append(const AuditEntry& entry);

 private:
  explicit AuditLog(int fd) : fd_(fd) {}
  std::mutex mu_;
  int fd_;
};

}  // namespace docent::server
