// mmap(2)-backed MappedFile.
#include "docent/llm/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace docent::llm {
namespace {

// Closes the descriptor on every path out of Open; the mapping outlives it.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

std::string ErrnoMessage(const std::filesystem::path& path, const char* what, int err) {
  return path.string() + ": " + what + ": " + std::strerror(err);
}

}  // namespace

Result<MappedFile> MappedFile::Open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFound(path.string() + ": no such file");
    return IOError(ErrnoMessage(path, "cannot open", err));
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return IOError(ErrnoMessage(path, "cannot stat", errno));
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path.string() + ": not a regular file");
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return MappedFile();  // mmap refuses length 0
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return IOError(ErrnoMessage(path, "cannot map", errno));
  return MappedFile(static_cast<const uint8_t*>(p), size);
}

MappedFile::~MappedFile() {
  Reset();
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    Reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void MappedFile::ReleasePages(std::span<const uint8_t> part) const {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(part.data());
  const uintptr_t end = begin + part.size();
  const auto map_begin = reinterpret_cast<uintptr_t>(data_);
  if (data_ == nullptr || begin < map_begin || end > map_begin + size_) return;
  const uintptr_t first = (begin + page - 1) / page * page;
  const uintptr_t last = end / page * page;
  // A read-only private file mapping: MADV_DONTNEED only unmaps the pages; the data stays in
  // the file (and usually the page cache). Advice, so a failure changes nothing.
  if (first < last) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void MappedFile::Reset() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace docent::llm
