// The per-format extractors behind ExtractBytes, one .cc file each. Private to the ingest
// module: extract.cc checks size and emptiness first, catches anything thrown, names the file
// in every error, and finishes the document (title fallback, text clean-up, "no extractable
// text"), so an extractor only turns its format's bytes into blocks.
#pragma once

#include <string_view>

#include "docent/ingest/document.h"
#include "docent/ingest/extract.h"
#include "docent/util/status.h"

namespace docent::ingest {

struct ExtractInput {
  std::string_view bytes;      // non-empty, within max_file_bytes
  std::string_view file_name;  // for the fallback title; errors need not repeat it
  const Limits& limits;
};

Result<ExtractedDocument> ExtractTxt(const ExtractInput& in);
Result<ExtractedDocument> ExtractMarkdown(const ExtractInput& in);
Result<ExtractedDocument> ExtractHtml(const ExtractInput& in);
// `delimiter` is ',' for csv and '\t' for tsv; csv also sniffs ';' (European Excel exports).
Result<ExtractedDocument> ExtractCsv(const ExtractInput& in, char delimiter);
Result<ExtractedDocument> ExtractPdf(const ExtractInput& in);
Result<ExtractedDocument> ExtractDocx(const ExtractInput& in);
Result<ExtractedDocument> ExtractPptx(const ExtractInput& in);
Result<ExtractedDocument> ExtractXlsx(const ExtractInput& in);
Result<ExtractedDocument> ExtractHwpx(const ExtractInput& in);
// HWP 5 binary documents, distribution documents included; a .hwp that is a zip is HWPX.
Result<ExtractedDocument> ExtractHwp(const ExtractInput& in);
// PNG, JPEG and TIFF files through OCR: each page's paragraphs, located by page.
Result<ExtractedDocument> ExtractImage(const ExtractInput& in);
// The blocks of one HWP section's records (decompressed), read without DocInfo: for the
// fuzzer, which reaches the record walk directly rather than through deflate.
ExtractedDocument ReadHwpSection(std::string_view records);

// Decodes HTML character references (&amp; &#xAC00; &#44032; &nbsp; and the common named
// ones) in `text`; unknown names are left as written. Shared by html and markdown.
std::string DecodeHtmlEntities(std::string_view text);

}  // namespace docent::ingest
