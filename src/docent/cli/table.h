// Plain-text tables for the command line (docs ls, workspaces ls): columns line up by display
// width, so a Korean title (two columns a syllable) does not push the columns after it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace docent::cli {

// A table built row by row and rendered once. Each cell is cut (ending in "…") or padded to
// its column's width in terminal columns (util::DisplayWidth); columns are two spaces apart
// and the last one carries no trailing spaces. Not thread-safe; a value type.
class Table {
 public:
  struct Column {
    std::string header;
    int width;  // columns; a negative width right-aligns the column in -width columns
  };

  explicit Table(std::vector<Column> columns);

  // One row, a cell per column (missing cells are empty, extra ones dropped).
  void Row(std::vector<std::string> cells);

  // The header line, then each row, each line ending in '\n'.
  std::string Text() const;

 private:
  void AppendLine(const std::vector<std::string>& cells, std::string& out) const;

  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// "512 B", "1.5 KB", "3.2 MB" (binary units).
std::string FormatSize(int64_t bytes);

// "2024-05-01 13:45", in UTC.
std::string FormatDate(int64_t unix_seconds);

}  // namespace docent::cli
