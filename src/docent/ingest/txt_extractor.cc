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
    // A plain loop: find_first_of with a set runs a search of the set for every byte.
    size_t end = start;
    while (end < text.size() && text[end] != '\n' && text[end] != '\f') ++end;
    const std::string_view line = std::string_view(text).substr(start, end - start);
    const bool blank = Trim(line).empty();
    if (!blank) {
      if (!paragraph.empty()) paragraph += '\n';
      paragraph += line;
    }
    // A blank line ends a paragraph; so does a form feed, a page break in printed text.
    if (blank || (end < text.size() && text[end] == '\f')) {
      AddParagraph(doc, std::move(paragraph));
      paragraph.clear();
    }
    start = end + 1;
  }
  AddParagraph(doc, std::move(paragraph));
  return doc;
}

}  // namespace docent::ingest
