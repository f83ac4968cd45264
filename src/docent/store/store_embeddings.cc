// The store's chunk vectors and its embedding model of record (see store.h).
//
// A vector is a row of chunk_embeddings keyed by (chunk, model fingerprint), its float32 values
// as a blob. Writes go through the writer like any other and move the versions of the
// workspaces they touch (caches of retrieval results retire, the dense index syncs), but leave
// the term index current: no text changed.
#include <chrono>
#include <cstring>

#include "docent/store/store.h"

namespace docent::store {
namespace {

std::string ToBlob(const std::vector<float>& v) {
  std::string blob(v.size() * sizeof(float), '\0');
  if (!v.empty()) std::memcpy(blob.data(), v.data(), blob.size());
  return blob;
}

Result<std::vector<float>> FromBlob(const std::string& blob, int64_t id) {
  if (blob.size() % sizeof(float) != 0) {
    return Corrupt("chunk vector " + std::to_string(id) + " is " + std::to_string(blob.size()) +
                   " bytes, not a whole number of floats");
  }
  std::vector<float> v(blob.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), blob.data(), blob.size());
  return v;
}

constexpr const char* kPendingWhere =
    "FROM chunks c JOIN documents d ON d.id = c.doc_id "
    "WHERE NOT EXISTS (SELECT 1 FROM chunk_embeddings e "
    "WHERE e.chunk_id = c.id AND e.fingerprint = ?1)";

}  // namespace

Result<std::optional<EmbeddingModelInfo>> Store::EmbeddingModel() {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st, session->db().Prepare("SELECT name, path, fingerprint, dimensions, set_at FROM "
                                     "embedding_model WHERE id = 1"));
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<EmbeddingModelInfo>();
  EmbeddingModelInfo m;
  m.name = st.Text(0);
  m.path = st.Text(1);
  m.fingerprint = st.Text(2);
  m.dimensions = st.Int(3);
  m.set_at = st.Int(4);
  return std::optional<EmbeddingModelInfo>(std::move(m));
}

Status Store::SetEmbeddingModel(const EmbeddingModelInfo& model) {
  std::lock_guard lock(mu_);
  if (batch_) return FailedPrecondition("setting the embedding model inside a batch");
  return SetEmbeddingModelLocked(model);
}

Status Store::AdoptEmbeddingModel(const EmbeddingModelInfo& model) {
  std::lock_guard lock(mu_);
  if (batch_) return FailedPrecondition("setting the embedding model inside a batch");
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  DOCENT_RETURN_IF_ERROR(SetEmbeddingModelLocked(model));
  DOCENT_ASSIGN_OR_RETURN(Stmt drop,
                          db_.Prepare("DELETE FROM chunk_embeddings WHERE fingerprint != ?1"));
  DOCENT_RETURN_IF_ERROR(drop.Bind(1, std::string_view(model.fingerprint)).Run());
  return tx.Commit();
}

Status Store::SetEmbeddingModelLocked(const EmbeddingModelInfo& model) {
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st, db_.Prepare("INSERT OR REPLACE INTO embedding_model(id, name, path, fingerprint, "
                           "dimensions, set_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)"));
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return st.Bind(1, std::string_view(model.name))
      .Bind(2, std::string_view(model.path))
      .Bind(3, std::string_view(model.fingerprint))
      .Bind(4, model.dimensions)
      .Bind(5, now)
      .Run();
}

Result<std::vector<ChunkToEmbed>> Store::ChunksToEmbed(std::string_view fingerprint,
                                                       int64_t after_chunk_id, size_t limit) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st, session->db().Prepare(
                   std::string("SELECT c.id, d.workspace_id, c.title, c.heading, c.body ") +
                   kPendingWhere + " AND c.id > ?2 ORDER BY c.id LIMIT ?3"));
  st.Bind(1, fingerprint).Bind(2, after_chunk_id).Bind(3, static_cast<int64_t>(limit));
  std::vector<ChunkToEmbed> out;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Int(0), st.Int(1), st.Text(2), st.Text(3), st.Text(4)});
  }
  return out;
}

Result<int64_t> Store::CountChunksToEmbed(std::string_view fingerprint) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(Stmt st,
                          session->db().Prepare(std::string("SELECT count(*) ") + kPendingWhere));
  st.Bind(1, fingerprint);
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Status Store::PutEmbeddings(std::string_view fingerprint,
                            std::span<const std::pair<int64_t, std::vector<float>>> vectors) {
  std::lock_guard lock(mu_);
  if (batch_) return FailedPrecondition("storing chunk vectors inside a batch");
  if (vectors.empty()) return Status::Ok();
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  DOCENT_ASSIGN_OR_RETURN(const int64_t generation_before, BumpGenerationLocked());
  DOCENT_ASSIGN_OR_RETURN(Stmt where,
                          db_.Prepare("SELECT d.workspace_id FROM chunks c JOIN "
                                      "documents d ON d.id = c.doc_id WHERE c.id = ?1"));
  DOCENT_ASSIGN_OR_RETURN(
      Stmt drop,
      db_.Prepare("DELETE FROM chunk_embeddings WHERE chunk_id = ?1 AND fingerprint = ?2"));
  DOCENT_ASSIGN_OR_RETURN(Stmt put, db_.Prepare("INSERT INTO chunk_embeddings(chunk_id, "
                                                "fingerprint, vector) VALUES (?1, ?2, ?3)"));
  Changes changes;
  for (const auto& [chunk_id, vector] : vectors) {
    where.Reset();
    where.Bind(1, chunk_id);
    DOCENT_ASSIGN_OR_RETURN(bool row, where.Step());
    if (!row) continue;  // removed since it was read
    Touch(changes, where.Int(0)).vectors_only = true;
    // Delete then insert (not REPLACE in place): the row gets a new id.
    drop.Reset();
    DOCENT_RETURN_IF_ERROR(drop.Bind(1, chunk_id).Bind(2, fingerprint).Run());
    put.Reset();
    DOCENT_RETURN_IF_ERROR(
        put.Bind(1, chunk_id).Bind(2, fingerprint).BindBlob(3, ToBlob(vector)).Run());
  }
  return CommitAndIndex(tx, generation_before, changes);
}

Status Store::DropOtherEmbeddings(std::string_view fingerprint) {
  std::lock_guard lock(mu_);
  if (batch_) return FailedPrecondition("dropping chunk vectors inside a batch");
  DOCENT_ASSIGN_OR_RETURN(Stmt st,
                          db_.Prepare("DELETE FROM chunk_embeddings WHERE fingerprint != ?1"));
  return st.Bind(1, fingerprint).Run();
}

Result<std::vector<StoredEmbedding>> Store::LoadEmbeddings(int64_t workspace_id,
                                                           std::string_view fingerprint,
                                                           int64_t after_id) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st, session->db().Prepare(
                   "SELECT e.id, e.chunk_id, CASE WHEN e.id > ?3 THEN e.vector END "
                   "FROM chunk_embeddings e "
                   "JOIN chunks c ON c.id = e.chunk_id JOIN documents d ON d.id = c.doc_id "
                   "WHERE d.workspace_id = ?1 AND e.fingerprint = ?2 ORDER BY e.id"));
  st.Bind(1, workspace_id).Bind(2, fingerprint).Bind(3, after_id);
  std::vector<StoredEmbedding> out;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    StoredEmbedding e;
    e.id = st.Int(0);
    e.chunk_id = st.Int(1);
    if (e.id > after_id) {
      DOCENT_ASSIGN_OR_RETURN(e.vector, FromBlob(st.Blob(2), e.id));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace docent::store
