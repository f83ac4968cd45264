// A thin RAII layer over the SQLite C API: a connection and prepared statements whose
// failures come back as Status values naming the SQL that failed.
//
// Thread safety: a Db (and its statements) is used by one thread at a time; the owner
// serialises access (Store holds a mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "docent/util/status.h"

namespace docent::store {

class Stmt;

// Bytes SQLite holds in this process now (every connection's page cache, statements,
// schema), as sqlite3_status64(SQLITE_STATUS_MEMORY_USED) counts them.
uint64_t SqliteMemoryBytes();

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

  // Opens (creating if needed) the database at `path`. ":memory:" works for tests.
  static Result<Db> Open(const std::filesystem::path& path, bool read_only = false);

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);

  sqlite3* raw() const { return db_; }
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }

  // An error Status built from the connection's last error.
  Status Error(std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& other) noexcept : st_(other.st_), db_(other.db_) { other.st_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;

  // Binding is 1-based, as in SQLite.
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, std::string_view v);      // bound as TEXT, copied
  Stmt& BindBlob(int i, std::string_view v);  // bound as BLOB, copied
  Stmt& BindNull(int i);

  // Steps once: true when a row is ready, false when done; an error Status otherwise.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(st_, col); }
  double Double(int col) const { return sqlite3_column_double(st_, col); }
  std::string Text(int col) const;
  std::string Blob(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

 private:
  friend class Db;
  Stmt(sqlite3_stmt* st, sqlite3* db) : st_(st), db_(db) {}
  sqlite3_stmt* st_ = nullptr;
  sqlite3* db_ = nullptr;
};

// Runs BEGIN IMMEDIATE on construction and ROLLBACK on destruction unless Commit() ran, so
// an early return or error can never leave half a change in the database.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin();
  Status Commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace docent::store
