// SQLite connection, statement and transaction wrappers.
#include "docent/store/sqlite_db.h"

namespace docent::store {

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Result<Db> Db::Open(const std::filesystem::path& path, bool read_only) {
  sqlite3* raw = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // each connection is confined to one thread at a time
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    if (raw) sqlite3_close_v2(raw);
    return IOError("cannot open database " + path.string() + ": " + msg);
  }
  sqlite3_extended_result_codes(raw, 1);
  // A writer holding the lock briefly (another docent process) should delay, not fail, us.
  sqlite3_busy_timeout(raw, 5000);
  return Db(raw);
}

Status Db::Error(std::string_view what) const {
  std::string m(what);
  m += ": ";
  m += sqlite3_errmsg(db_);
  int code = sqlite3_errcode(db_) & 0xff;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Corrupt(std::move(m));
  if (code == SQLITE_FULL) return ResourceExhausted(std::move(m));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(std::move(m));
  return IOError(std::move(m));
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string m = "SQL failed (" + s.substr(0, 60) + "): " + (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    int code = rc & 0xff;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Corrupt(std::move(m));
    return IOError(std::move(m));
  }
  return Status::Ok();
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK) return Error("cannot prepare (" + std::string(sql.substr(0, 60)) + ")");
  return Stmt(st, db_);
}

Stmt::~Stmt() {
  if (st_) sqlite3_finalize(st_);
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    if (st_) sqlite3_finalize(st_);
    st_ = other.st_;
    db_ = other.db_;
    other.st_ = nullptr;
  }
  return *this;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(st_) ? sqlite3_sql(st_) : "";
  std::string m = "SQL step failed (" + sql.substr(0, 60) + "): " + sqlite3_errmsg(db_);
  int code = rc & 0xff;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Corrupt(std::move(m));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(std::move(m));
  if (code == SQLITE_FULL) return ResourceExhausted(std::move(m));
  return IOError(std::move(m));
}

uint64_t SqliteMemoryBytes() {
  sqlite3_int64 current = 0;
  sqlite3_int64 highwater = 0;
  if (sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highwater, 0) != SQLITE_OK) return 0;
  return static_cast<uint64_t>(current);
}

Status Stmt::Run() {
  for (;;) {
    auto r = Step();
    if (!r.ok()) {
      Reset();
      return r.status();
    }
    if (!*r) break;
  }
  Reset();
  return Status::Ok();
}

void Stmt::Reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(st_, col);
  int n = sqlite3_column_bytes(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::string Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  const int n = sqlite3_column_bytes(st_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Begin() {
  DOCENT_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  DOCENT_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace docent::store
