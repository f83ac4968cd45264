// Entry point of the ingest module: bytes or a file in, an ExtractedDocument out.
//
// Every input is treated as hostile. A failure is a Status naming the file and the reason
// (kCorrupt for a broken or encrypted PDF or HWP, kTooLarge for a file, zip or stream over the
// limits, kUnsupported for an unknown type); it never throws and never aborts the process.
// Messages start with the file name: "x.txt: empty file" (kInvalidArgument),
// "scan.pdf: no extractable text ..." (kUnsupported: nothing but whitespace or images),
// "a.docx: word/document.xml: malformed XML (...)" (kCorrupt, naming the zip entry).
// Thread safety: all functions are reentrant; poppler and libzip are used per call.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "docent/ingest/document.h"
#include "docent/ingest/ocr.h"
#include "docent/util/status.h"

namespace docent::ingest {

struct Limits {
  uint64_t max_file_bytes = 100ull << 20;          // larger files are refused (kTooLarge)
  uint64_t max_uncompressed_bytes = 512ull << 20;  // total inflated size of a zip container
  uint64_t max_entry_bytes = 256ull << 20;         // one inflated zip entry
  uint32_t max_compression_ratio = 200;            // inflated/compressed, per entry
  uint32_t max_zip_entries = 20000;
  uint64_t max_image_pixels = 400ull << 20;  // an image file's pages together, before decoding
  OcrOptions ocr;                            // scanned PDF pages and image files (ocr.h)
};

// The format name for a path by its extension ("pdf", "docx", "md", ...), or nullopt when
// docent does not handle it. Case-insensitive; ".htm" is "html", ".markdown" is "md".
std::optional<std::string> FormatForPath(const std::filesystem::path& path);

// Extracts a document held in memory. `file_name` picks the format (by extension) and is
// used in messages and as the fallback title.
Result<ExtractedDocument> ExtractBytes(std::string_view bytes, std::string_view file_name,
                                       const Limits& limits = {});

// Reads and extracts a file, refusing it before reading when it exceeds max_file_bytes.
Result<ExtractedDocument> ExtractFile(const std::filesystem::path& path, const Limits& limits = {});

}  // namespace docent::ingest
