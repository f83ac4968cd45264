// Fuzzes every document parser through ExtractBytes: the first byte picks the format (by
// file name), the rest is the file. Extraction may fail, but must never crash, hang, throw,
// or return a document whose text is not valid UTF-8. Small limits keep zip inflation cheap.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "docent/ingest/extract.h"
#include "docent/util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr const char* kNames[] = {"f.pdf",  "f.docx", "f.html", "f.md",  "f.csv",
                                           "f.xlsx", "f.hwpx", "f.pptx", "f.txt", "f.tsv"};
  if (size == 0) return 0;
  const char* name = kNames[data[0] % (sizeof kNames / sizeof kNames[0])];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  docent::ingest::Limits limits;
  limits.max_file_bytes = 8 << 20;
  limits.max_uncompressed_bytes = 32 << 20;
  limits.max_entry_bytes = 16 << 20;
  auto doc = docent::ingest::ExtractBytes(bytes, name, limits);
  if (!doc.ok()) {
    if (doc.status().message().empty()) std::abort();
    return 0;
  }
  if (doc->blocks.empty() || !docent::util::IsValidUtf8(doc->title)) std::abort();
  for (const docent::ingest::Block& b : doc->blocks) {
    if (b.text.empty() || !docent::util::IsValidUtf8(b.text)) std::abort();
    if (b.kind == docent::ingest::BlockKind::kHeading && (b.level < 1 || b.level > 6)) std::abort();
  }
  return 0;
}
