// The answer cache's key, its CBOR values and its SQLite table.
#include "docent/answer/answer_cache.h"

#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "docent/text/char_class.h"
#include "docent/text/normalize.h"
#include "docent/util/hex.h"
#include "docent/util/utf8.h"

#ifndef DOCENT_BUILD_ID
#define DOCENT_BUILD_ID "unknown"
#endif

namespace docent::answer {
namespace {

using nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS answers(
  id BLOB PRIMARY KEY,
  key_text TEXT NOT NULL,
  workspace_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  value BLOB NOT NULL,
  bytes INTEGER NOT NULL,
  last_used INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_version ON answers(workspace_id, version);
CREATE INDEX IF NOT EXISTS answers_by_use ON answers(last_used);
)sql";

// The running build's identity: the configured version and commit, and a digest of the
// executable itself. The commit alone is read when the build is configured, so a binary
// rebuilt after a pull or from changed sources would carry an older one and serve answers its
// code no longer writes.
const std::string& BuildIdentity() {
  static const std::string id = [] {
    std::string out = DOCENT_BUILD_ID;
    std::FILE* f = std::fopen("/proc/self/exe", "rb");
    if (f == nullptr) return out;
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    std::vector<char> buf(1 << 20);
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
      XXH3_64bits_update(state, buf.data(), n);
    const bool ok = std::ferror(f) == 0;
    std::fclose(f);
    const XXH64_hash_t digest = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    if (ok) {
      uint8_t bytes[8];
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(digest >> (8 * i));
      out += "-" + util::HexBytes(bytes);
    }
    return out;
  }();
  return id;
}

void Field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += '=';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

// Floats by their bits: 0.7f and 0.70000001f are different settings.
std::string FloatBits(float f) {
  uint32_t bits = 0;
  std::memcpy(&bits, &f, sizeof bits);
  return std::to_string(bits);
}

std::string Id(const std::string& text) {
  const XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  std::string id(16, '\0');
  std::memcpy(id.data(), &h.high64, 8);
  std::memcpy(id.data() + 8, &h.low64, 8);
  return id;
}

json PassageJson(const search::Passage& p) {
  return {{"chunk", p.chunk_id},   {"doc", p.doc_id},   {"title", p.doc_title},
          {"path", p.doc_path},    {"loc", p.location}, {"text", p.text},
          {"begin", p.char_begin}, {"end", p.char_end}, {"score", p.score}};
}

search::Passage PassageFrom(const json& j) {
  search::Passage p;
  p.chunk_id = j.at("chunk");
  p.doc_id = j.at("doc");
  p.doc_title = j.at("title");
  p.doc_path = j.at("path");
  p.location = j.at("loc");
  p.text = j.at("text");
  p.char_begin = j.at("begin");
  p.char_end = j.at("end");
  p.score = j.at("score");
  return p;
}

std::string Encode(const CachedAnswer& a) {
  json sources = json::array();
  for (const rag::Citation& c : a.sources) {
    json s = PassageJson(c.passage);
    s["n"] = c.number;
    sources.push_back(std::move(s));
  }
  const json j = {{"pieces", a.pieces},
                  {"found", a.found},
                  {"generative", a.generative},
                  {"finish", a.finish_reason},
                  {"grounded", a.grounded},
                  {"replaced_ungrounded", a.replaced_ungrounded},
                  {"context_cache", a.context_cache},
                  {"sources", sources},
                  {"cited", a.cited},
                  {"usage",
                   {a.prompt_tokens, a.cached_prompt_tokens, a.stored_prompt_tokens,
                    a.recomputed_prompt_tokens}},
                  {"tokens", a.tokens}};
  const std::vector<uint8_t> cbor = json::to_cbor(j);
  return std::string(cbor.begin(), cbor.end());
}

std::optional<CachedAnswer> Decode(std::string_view bytes) {
  const json j = json::from_cbor(bytes.begin(), bytes.end(), true, false);
  if (j.is_discarded()) return std::nullopt;
  try {
    CachedAnswer a;
    a.pieces = j.at("pieces").get<std::vector<std::string>>();
    a.found = j.at("found");
    a.generative = j.at("generative");
    a.finish_reason = j.at("finish");
    a.grounded = j.at("grounded");
    a.replaced_ungrounded = j.at("replaced_ungrounded");
    a.context_cache = j.at("context_cache");
    for (const json& s : j.at("sources")) a.sources.push_back({s.at("n"), PassageFrom(s)});
    a.cited = j.at("cited").get<std::vector<int>>();
    const json& u = j.at("usage");
    a.prompt_tokens = u.at(0);
    a.cached_prompt_tokens = u.at(1);
    a.stored_prompt_tokens = u.at(2);
    a.recomputed_prompt_tokens = u.at(3);
    a.tokens = j.at("tokens").get<std::vector<uint32_t>>();
    for (int n : a.cited) {
      if (n < 1 || static_cast<size_t>(n) > a.sources.size()) return std::nullopt;
    }
    return a;
  } catch (const json::exception&) {
    return std::nullopt;  // an entry an older or damaged writer left: a miss
  }
}

}  // namespace

std::string NormalizeQuestion(std::string_view question) {
  const std::string nfc = text::NormalizeNfc(question);
  std::string out;
  bool space = false;
  size_t pos = 0;
  while (pos < nfc.size()) {
    const size_t start = pos;
    const char32_t cp = util::DecodeUtf8(nfc, pos);
    if (text::IsSpace(cp)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out.append(nfc, start, pos - start);
  }
  return out;
}

std::string AnswerKey::Text() const {
  std::string t = "docent-answer-cache/1\n";
  Field(t, "build", BuildIdentity());
  Field(t, "workspace", std::to_string(workspace_id));
  Field(t, "version", std::to_string(workspace_version));
  Field(t, "question", question);
  Field(t, "generator", generator);
  Field(t, "k", std::to_string(k));
  // Only when not BM25, so the keys answers had before retrieval modes existed stay valid.
  if (!retrieval.empty() && retrieval != "bm25") Field(t, "retrieval", retrieval);
  if (sampling) {
    Field(t, "max_tokens", std::to_string(max_tokens));
    const llm::SamplingParams& s = *sampling;
    Field(t, "temperature", FloatBits(s.temperature));
    Field(t, "top_k", std::to_string(s.top_k));
    Field(t, "top_p", FloatBits(s.top_p));
    Field(t, "min_p", FloatBits(s.min_p));
    Field(t, "repeat_penalty", FloatBits(s.repeat_penalty));
    Field(t, "presence_penalty", FloatBits(s.presence_penalty));
    Field(t, "frequency_penalty", FloatBits(s.frequency_penalty));
    Field(t, "penalty_last_n", std::to_string(s.penalty_last_n));
    Field(t, "seed", std::to_string(s.seed));
    Field(t, "grounding", require_grounding ? "required" : "reported");
  }
  return t;
}

Result<std::unique_ptr<AnswerCache>> AnswerCache::Open(const std::filesystem::path& file,
                                                       uint64_t budget_bytes) {
  (void)BuildIdentity();  // digest the executable now, not on the first request's path
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  DOCENT_ASSIGN_OR_RETURN(store::Db db, store::Db::Open(file));
  const Status made = [&]() -> Status {
    DOCENT_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
    return db.Exec(kSchema);
  }();
  DOCENT_RETURN_IF_ERROR(made.WithContext(file.string()));
  std::unique_ptr<AnswerCache> cache(new AnswerCache(std::move(db), budget_bytes));
  std::lock_guard lock(cache->mu_);
  DOCENT_RETURN_IF_ERROR(cache->RecountLocked().WithContext(file.string()));
  // A smaller budget than the file was filled under takes effect at once.
  DOCENT_RETURN_IF_ERROR(cache->EvictLocked().WithContext(file.string()));
  return cache;
}

AnswerCache::~AnswerCache() = default;

Status AnswerCache::RecountLocked() {
  DOCENT_ASSIGN_OR_RETURN(
      store::Stmt st,
      db_.Prepare("SELECT count(*), coalesce(sum(bytes), 0), coalesce(max(last_used), 0) "
                  "FROM answers"));
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (row) {
    entries_ = static_cast<uint64_t>(st.Int(0));
    bytes_ = static_cast<uint64_t>(st.Int(1));
    clock_ = st.Int(2);
  }
  return Status::Ok();
}

std::optional<CachedAnswer> AnswerCache::Lookup(const AnswerKey& key) {
  const std::string text = key.Text();
  const std::string id = Id(text);
  std::lock_guard lock(mu_);
  auto found = [&]() -> Result<std::optional<CachedAnswer>> {
    DOCENT_ASSIGN_OR_RETURN(store::Stmt st,
                            db_.Prepare("SELECT key_text, value FROM answers WHERE id = ?1"));
    st.BindBlob(1, id);
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row || st.Text(0) != text) return std::optional<CachedAnswer>();
    std::optional<CachedAnswer> a = Decode(st.Blob(1));
    if (!a) return a;
    DOCENT_ASSIGN_OR_RETURN(store::Stmt touch,
                            db_.Prepare("UPDATE answers SET last_used = ?2 WHERE id = ?1"));
    touch.BindBlob(1, id).Bind(2, ++clock_);
    (void)touch.Run();  // a recency stamp that cannot be written only ages the entry
    return a;
  }();
  if (found.ok() && found->has_value()) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return std::move(*found);
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void AnswerCache::Put(const AnswerKey& key, const CachedAnswer& answer) {
  const std::string text = key.Text();
  const std::string value = Encode(answer);
  if (value.size() + text.size() > budget_) return;
  std::lock_guard lock(mu_);
  if (!PutLocked(Id(text), text, key, value).ok()) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    (void)RecountLocked();
  }
}

Status AnswerCache::ForgetLocked(std::string_view where, int64_t a, int64_t b) {
  // The rows' share of the totals first, through the same indexed condition, so the totals
  // stay exact without summing the whole table.
  const std::string condition = std::string(" FROM answers WHERE ") + std::string(where);
  DOCENT_ASSIGN_OR_RETURN(store::Stmt sum,
                          db_.Prepare("SELECT count(*), coalesce(sum(bytes), 0)" + condition));
  sum.Bind(1, a);
  if (where.find("?2") != std::string_view::npos) sum.Bind(2, b);
  DOCENT_ASSIGN_OR_RETURN(bool row, sum.Step());
  const uint64_t rows = row ? static_cast<uint64_t>(sum.Int(0)) : 0;
  const uint64_t bytes = row ? static_cast<uint64_t>(sum.Int(1)) : 0;
  sum = store::Stmt();
  if (rows == 0) return Status::Ok();
  DOCENT_ASSIGN_OR_RETURN(store::Stmt del, db_.Prepare("DELETE" + condition));
  del.Bind(1, a);
  if (where.find("?2") != std::string_view::npos) del.Bind(2, b);
  DOCENT_RETURN_IF_ERROR(del.Run());
  entries_ -= std::min(entries_, rows);
  bytes_ -= std::min(bytes_, bytes);
  return Status::Ok();
}

Status AnswerCache::PutLocked(const std::string& id, const std::string& text, const AnswerKey& key,
                              const std::string& value) {
  store::Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  // The workspace's older versions are answers about documents that no longer hold.
  DOCENT_RETURN_IF_ERROR(
      ForgetLocked("workspace_id = ?1 AND version < ?2", key.workspace_id, key.workspace_version));
  {
    // The entry it replaces, if any (the same key written again).
    DOCENT_ASSIGN_OR_RETURN(store::Stmt old,
                            db_.Prepare("SELECT bytes FROM answers WHERE id = ?1"));
    old.BindBlob(1, id);
    DOCENT_ASSIGN_OR_RETURN(bool replaced, old.Step());
    if (replaced) {
      --entries_;
      bytes_ -= std::min(bytes_, static_cast<uint64_t>(old.Int(0)));
    }
  }
  const uint64_t bytes = value.size() + text.size();
  {
    DOCENT_ASSIGN_OR_RETURN(
        store::Stmt put,
        db_.Prepare("INSERT OR REPLACE INTO answers(id, key_text, workspace_id, version, value, "
                    "bytes, last_used) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    put.BindBlob(1, id).Bind(2, text).Bind(3, key.workspace_id).Bind(4, key.workspace_version);
    put.BindBlob(5, value).Bind(6, static_cast<int64_t>(bytes));
    DOCENT_RETURN_IF_ERROR(put.Bind(7, ++clock_).Run());
  }
  DOCENT_RETURN_IF_ERROR(tx.Commit());
  ++entries_;
  bytes_ += bytes;
  return EvictLocked();
}

Status AnswerCache::EvictLocked() {
  while (bytes_ > budget_ && entries_ > 0) {
    // The least recently used first, one at a time until the rest fits; read a few at once.
    DOCENT_ASSIGN_OR_RETURN(
        store::Stmt oldest,
        db_.Prepare("SELECT id, bytes FROM answers ORDER BY last_used LIMIT 32"));
    std::vector<std::pair<std::string, int64_t>> victims;
    int64_t freeing = 0;
    for (;;) {
      DOCENT_ASSIGN_OR_RETURN(bool row, oldest.Step());
      if (!row || bytes_ - static_cast<uint64_t>(freeing) <= budget_) break;
      victims.emplace_back(oldest.Blob(0), oldest.Int(1));
      freeing += oldest.Int(1);
    }
    oldest = store::Stmt();
    if (victims.empty()) return RecountLocked();  // the counts were off: read them again
    DOCENT_ASSIGN_OR_RETURN(store::Stmt del, db_.Prepare("DELETE FROM answers WHERE id = ?1"));
    for (const auto& [id, victim_bytes] : victims) {
      del.Reset();
      DOCENT_RETURN_IF_ERROR(del.BindBlob(1, id).Run());
      --entries_;
      bytes_ -= std::min(bytes_, static_cast<uint64_t>(victim_bytes));
      evictions_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return Status::Ok();
}

void AnswerCache::DropWorkspace(int64_t workspace_id) {
  std::lock_guard lock(mu_);
  if (!ForgetLocked("workspace_id = ?1", workspace_id).ok()) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    (void)RecountLocked();
  }
}

AnswerCache::Stats AnswerCache::stats() const {
  Stats s;
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.uncacheable = uncacheable_.load(std::memory_order_relaxed);
  s.evictions = evictions_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.entries = entries_;
  s.bytes = bytes_;
  return s;
}

}  // namespace docent::answer
