// API keys and what each may do: the workspaces it reaches and its rights there.
//
// A key file holds one key a line, with optional fields after it:
//   KEY [workspaces=a,b|*] [rights=read|read,write|admin]
// A line with only a key may read and write every workspace (what a key meant before
// workspaces). `admin` implies read and write. Blank lines and lines starting with '#' are
// skipped. Errors name the line, never the key.
//
// Keys are kept only as SHA-256 digests. Authenticate() compares the presented key's digest
// with every stored one in constant time, and takes the match without an early return, so
// neither the time nor the order of keys tells anything about a key. A key's `id` (a short
// hash prefix) is what logs and the audit trail show.
// Thread safety: an Authenticator is immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace docent::server {

enum Right : uint8_t { kRead = 1, kWrite = 2, kAdmin = 4 };

struct ApiKey {
  std::array<uint8_t, 32> sha256{};
  std::string id;                       // "k-" and the first 12 hex digits of the SHA-256
  bool all_workspaces = true;           // workspaces=* (or no workspaces field)
  std::vector<std::string> workspaces;  // in the order listed; the first is the default
  uint8_t rights = kRead | kWrite;

  bool Has(Right r) const { return (rights & r) != 0; }
  bool Reaches(std::string_view workspace) const;
};

// One line of a key file (1-based `line_no` for messages); nullopt for a blank or comment line.
Result<std::optional<ApiKey>> ParseApiKeyLine(std::string_view line, int line_no);
// Every line of a key file's contents; InvalidArgument for a file with no key, or a key twice.
Result<std::vector<ApiKey>> ParseApiKeyFile(std::string_view contents);
// A key from elsewhere ($DOCENT_API_KEY): every workspace, read and write.
ApiKey KeyWithAllRights(std::string_view key);

class Authenticator {
 public:
  explicit Authenticator(std::vector<ApiKey> keys) : keys_(std::move(keys)) {}
  bool enabled() const { return !keys_.empty(); }
  // The key an `Authorization: Bearer KEY` header names, or null.
  const ApiKey* Authenticate(std::string_view authorization_header) const;

 private:
  std::vector<ApiKey> keys_;
};

}  // namespace docent::server
