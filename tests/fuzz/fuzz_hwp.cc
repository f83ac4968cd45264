// Fuzzes the HWP 5 reader at two depths: the whole file through ExtractBytes (the compound
// file container, FileHeader, DocInfo, inflation, decryption), and the input as one section's
// records (the record tree and the paragraph walk, which inflation would otherwise shield
// from mutations). Must never crash, hang, throw, or give invalid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "docent/ingest/extract.h"
#include "docent/ingest/extractors.h"
#include "docent/util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  docent::ingest::Limits limits;
  limits.max_file_bytes = 8 << 20;
  auto doc = docent::ingest::ExtractBytes(bytes, "f.hwp", limits);
  if (!doc.ok()) {
    if (doc.status().message().empty()) std::abort();
  } else {
    for (const docent::ingest::Block& b : doc->blocks) {
      if (b.text.empty() || !docent::util::IsValidUtf8(b.text)) std::abort();
    }
  }
  const docent::ingest::ExtractedDocument section = docent::ingest::ReadHwpSection(bytes);
  for (const docent::ingest::Block& b : section.blocks) {
    if (!docent::util::IsValidUtf8(b.text)) std::abort();
  }
  return 0;
}
