// Image files (PNG, JPEG, TIFF with all its pages) are scanned pages: their text is what OCR
// reads, each paragraph located by its page. With OCR off, an image is not a document.
#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/ocr.h"

namespace docent::ingest {

Result<ExtractedDocument> ExtractImage(const ExtractInput& in) {
  if (in.limits.ocr.mode == OcrMode::kOff) {
    return Unsupported("an image, and OCR is off (--ocr auto reads it)");
  }
  DOCENT_ASSIGN_OR_RETURN(const int pages, CountImagePages(in.bytes, in.limits.max_image_pixels));
  DOCENT_ASSIGN_OR_RETURN(
      auto texts, RecognizePages(
                      pages, [&](int i) { return DecodeImagePage(in.bytes, i); }, in.limits.ocr));
  ExtractedDocument doc;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!texts[i].error.empty()) {
      if (pages == 1) return Corrupt(texts[i].error);
      doc.warnings.push_back("page " + std::to_string(i + 1) + " not read: " + texts[i].error);
      continue;
    }
    Block proto;
    proto.page = static_cast<int>(i) + 1;
    for (std::string& p : texts[i].paragraphs) AddParagraph(doc, std::move(p), proto);
  }
  return doc;
}

}  // namespace docent::ingest
