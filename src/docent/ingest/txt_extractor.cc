// Plain text: decoded (UTF-8, UTF-16, CP949 or repaired), then cut into paragraphs at blank
// lines and form feeds. Line breaks inside a paragraph are kept as written.
#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/text_decoding.h"

namespace docent::ingest {

Result<ExtractedDocument> ExtractTxt(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(DecodedText decoded, DecodeText(in.bytes));
  ExtractedDocument doc;
  doc.warnings = std::move(decoded.warnings);
  const std::string& text = decoded.text;
  std::string paragraph;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of("\n\f", start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = std::string_view(text).substr(start, end - start);
    if (!Trim(line).empty()) {
      if (!paragraph.empty()) paragraph += '\n';
      paragraph += line;
    }
    // A blank line ends a paragraph; so does a form feed, a page break in printed text.
    if (Trim(line).empty() || (end < text.size() && text[end] == '\f')) {
      AddParagraph(doc, std::move(paragraph));
      paragraph.clear();
    }
    start = end + 1;
  }
  AddParagraph(doc, std::move(paragraph));
  return doc;
}

}  // namespace docent::ingest
