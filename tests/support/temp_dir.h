// A temporary directory that removes itself: every test that touches disk gets its own.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace docent::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // Writes `contents` to path()/name (creating parent folders) and returns the full path.
  std::filesystem::path Write(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

// Reads a whole file; empty string when it cannot be read.
std::string ReadFileOrEmpty(const std::filesystem::path& path);

// The project's source folder and the ../shared folder beside it.
std::filesystem::path SourceDir();
std::filesystem::path SharedDir();

}  // namespace docent::testing
