// Fuzzes the text path on arbitrary bytes: repair, NFC, analysis, sentence splitting and
// chunking must never crash and must keep the chunker's offset invariant.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "docent/text/analyzer.h"
#include "docent/text/chunker.h"
#include "docent/text/normalize.h"
#include "docent/text/sentences.h"
#include "docent/util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::string text = docent::text::NormalizeNfc(raw);
  if (!docent::util::IsValidUtf8(text)) std::abort();
  docent::text::Analyze(text, docent::text::AnalyzeMode::kDocument, [&](const docent::text::Term& t) {
    if (t.begin > t.end || t.end > text.size() || t.text.empty()) std::abort();
  });
  for (const auto& s : docent::text::SplitSentences(text)) {
    if (s.begin > s.end || s.end > text.size()) std::abort();
  }
  docent::ingest::ExtractedDocument doc;
  doc.title = "fuzz";
  size_t start = 0;
  int n = 0;
  while (start <= raw.size()) {
    size_t cut = raw.find('\x01', start);
    if (cut == std::string_view::npos) cut = raw.size();
    docent::ingest::Block b;
    b.kind = (n % 3 == 0) ? docent::ingest::BlockKind::kHeading : docent::ingest::BlockKind::kParagraph;
    b.level = 1 + n % 3;
    b.page = n / 2;
    b.text = docent::util::ToValidUtf8(raw.substr(start, cut - start));
    doc.blocks.push_back(b);
    ++n;
    start = cut + 1;
  }
  docent::text::ChunkerOptions small{60, 40, 100, 20};
  auto chunked = docent::text::ChunkDocument(doc, small);
  for (const auto& c : chunked.chunks) {
    size_t b = docent::util::ByteOffsetOfCodePoint(chunked.full_text, c.char_begin);
    size_t e = docent::util::ByteOffsetOfCodePoint(chunked.full_text, c.char_end);
    if (c.char_begin > c.char_end || chunked.full_text.compare(b, e - b, c.text) != 0) std::abort();
  }
  return 0;
}
