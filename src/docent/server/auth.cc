// API key parsing and constant-time matching.
#include "docent/server/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <set>

#include "docent/store/store.h"
#include "docent/util/hex.h"

namespace docent::server {
namespace {

std::array<uint8_t, 32> Sha256(std::string_view s) {
  std::array<uint8_t, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
  return out;
}

std::string KeyId(const std::array<uint8_t, 32>& digest) {
  return "k-" + util::HexBytes(std::span(digest).first(6));
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

}  // namespace

bool ApiKey::Reaches(std::string_view workspace) const {
  return all_workspaces ||
         std::find(workspaces.begin(), workspaces.end(), workspace) != workspaces.end();
}

ApiKey KeyWithAllRights(std::string_view key) {
  ApiKey k;
  k.sha256 = Sha256(key);
  k.id = KeyId(k.sha256);
  return k;
}

Result<std::optional<ApiKey>> ParseApiKeyLine(std::string_view line, int line_no) {
  const std::string where = "API key file, line " + std::to_string(line_no) + ": ";
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.empty() || line.front() == '#') return std::optional<ApiKey>();
  std::vector<std::string_view> fields;
  for (std::string_view f : Split(line, ' ')) {
    for (std::string_view g : Split(f, '\t')) {
      if (!g.empty()) fields.push_back(g);
    }
  }
  ApiKey key = KeyWithAllRights(fields[0]);
  if (fields[0].find('=') != std::string_view::npos) {
    // "workspaces=hr" alone would silently become a key anyone could guess.
    return InvalidArgument(where + "the line starts with a field, not a key");
  }
  bool saw_workspaces = false, saw_rights = false;
  for (size_t i = 1; i < fields.size(); ++i) {
    const std::string_view f = fields[i];
    const size_t eq = f.find('=');
    const std::string_view name = f.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : f.substr(eq + 1);
    if (name == "workspaces" && eq != std::string_view::npos) {
      if (saw_workspaces) return InvalidArgument(where + "workspaces= given twice");
      saw_workspaces = true;
      if (value == "*") continue;
      key.all_workspaces = false;
      for (std::string_view ws : Split(value, ',')) {
        if (!store::ValidWorkspaceName(ws)) {
          return InvalidArgument(where + "bad workspace name \"" + std::string(ws) + "\"");
        }
        key.workspaces.emplace_back(ws);
      }
    } else if (name == "rights" && eq != std::string_view::npos) {
      if (saw_rights) return InvalidArgument(where + "rights= given twice");
      saw_rights = true;
      key.rights = 0;
      for (std::string_view r : Split(value, ',')) {
        if (r == "read") {
          key.rights |= kRead;
        } else if (r == "write") {
          key.rights |= kRead | kWrite;
        } else if (r == "admin") {
          key.rights |= kRead | kWrite | kAdmin;
        } else {
          return InvalidArgument(where + "unknown right \"" + std::string(r) +
                                 "\" (read, write or admin)");
        }
      }
    } else {
      return InvalidArgument(where + "unknown field \"" + std::string(name) +
                             "\" (workspaces=... or rights=...)");
    }
  }
  return std::optional<ApiKey>(std::move(key));
}

Result<std::vector<ApiKey>> ParseApiKeyFile(std::string_view contents) {
  std::vector<ApiKey> keys;
  std::set<std::array<uint8_t, 32>> seen;
  int line_no = 0;
  for (std::string_view line : Split(contents, '\n')) {
    ++line_no;
    DOCENT_ASSIGN_OR_RETURN(std::optional<ApiKey> key, ParseApiKeyLine(line, line_no));
    if (!key) continue;
    if (!seen.insert(key->sha256).second) {
      return InvalidArgument("API key file, line " + std::to_string(line_no) +
                             ": the same key as an earlier line");
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) return InvalidArgument("the API key file holds no key");
  return keys;
}

const ApiKey* Authenticator::Authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || !header.starts_with(kBearer)) return nullptr;
  const std::array<uint8_t, 32> digest = Sha256(header.substr(kBearer.size()));
  // Every key is compared, whatever matched before it; the match is picked by a mask.
  uintptr_t found = 0;
  for (const ApiKey& key : keys_) {
    const uintptr_t same = CRYPTO_memcmp(digest.data(), key.sha256.data(), digest.size()) == 0;
    found |= (0 - same) & reinterpret_cast<uintptr_t>(&key);
  }
  return reinterpret_cast<const ApiKey*>(found);
}

}  // namespace docent::server
