// Table rendering and the cell formats the listings share (see table.h).
#include "docent/cli/table.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <utility>

#include "docent/util/utf8.h"

namespace docent::cli {

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::Row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::Text() const {
  std::string out;
  std::vector<std::string> headers;
  headers.reserve(columns_.size());
  for (const Column& c : columns_) headers.push_back(c.header);
  AppendLine(headers, out);
  for (const auto& row : rows_) AppendLine(row, out);
  return out;
}

void Table::AppendLine(const std::vector<std::string>& cells, std::string& out) const {
  std::string line;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const int width = columns_[i].width;
    const size_t columns = static_cast<size_t>(std::abs(width));
    const std::string& cell = i < cells.size() ? cells[i] : std::string();
    if (i > 0) line += "  ";
    if (width < 0 && util::DisplayWidth(cell) < columns) {
      line.append(columns - util::DisplayWidth(cell), ' ');
      line += cell;
    } else {
      // Left-aligned, or a right-aligned cell too wide for its column: cut like any other.
      line += util::FitToWidth(cell, columns);
    }
  }
  // The last column's padding would only be trailing spaces.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line;
  out += '\n';
}

std::string FormatSize(int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
  }
  return buf;
}

std::string FormatDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

}  // namespace docent::cli
