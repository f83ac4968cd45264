// Dispatch by extension, the checks every format shares (size, emptiness, no text), the
// exception firewall, and the finishing pass that makes every block clean, valid UTF-8.
#include "docent/ingest/extract.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <fstream>
#include <new>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/text_decoding.h"
#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

namespace fs = std::filesystem;

// A "heading" longer than this is body text in a heading style (common in HWP outlines and
// Word files styled by hand); citing it as a section name would be useless.
constexpr size_t kMaxHeadingChars = 300;
constexpr size_t kMaxTitleChars = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Control characters (C0 but tab and newline, DEL, C1) carry no text; PDFs and Office files
// use them as field and object markers. Tabs become spaces.
std::string StripControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    // Bytes that cannot start a control are copied in runs: printable ASCII, and lead or
    // continuation bytes other than C2 (U+0080..U+009F) and EF (U+FFFE, U+FFFF).
    size_t run = pos;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x80 ? (c < 0x20 || c == 0x7F) : (c == 0xC2 || c == 0xEF)) break;
      ++run;
    }
    out.append(text.substr(pos, run - pos));
    pos = run;
    if (pos == text.size()) break;
    const size_t start = pos;
    const char32_t cp = util::DecodeUtf8(text, pos);
    if (cp == '\n') {
      out += '\n';
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF) {
      out += ' ';
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

std::string CleanTitle(std::string_view raw) {
  std::string title = CollapseSpaces(StripControls(util::ToValidUtf8(raw)));
  if (util::CountCodePoints(title) > kMaxTitleChars) {
    title.resize(util::ByteOffsetOfCodePoint(title, kMaxTitleChars));
    title += "…";
  }
  return title;
}

Status Finish(ExtractedDocument& doc, std::string_view format, std::string_view file_name,
              const Limits& limits) {
  doc.format = std::string(format);
  bool repaired = false;
  std::vector<Block> kept;
  kept.reserve(doc.blocks.size());
  for (Block& b : doc.blocks) {
    if (!util::IsValidUtf8(b.text)) {
      b.text = util::ToValidUtf8(b.text);
      repaired = true;
    }
    b.text = StripControls(b.text);
    if (b.kind == BlockKind::kParagraph) {
      b.text = CleanLines(b.text);
    } else {
      b.text = CollapseSpaces(b.text);
    }
    if (b.text.empty()) continue;
    if (b.kind == BlockKind::kHeading) {
      b.level = std::clamp(b.level, 1, 6);
      if (util::CountCodePoints(b.text) > kMaxHeadingChars) {
        b.kind = BlockKind::kParagraph;
        b.level = 0;
      }
    } else {
      b.level = 0;
    }
    kept.push_back(std::move(b));
  }
  doc.blocks = std::move(kept);
  if (repaired) doc.warnings.push_back("invalid UTF-8 in the extracted text was replaced");
  if (doc.blocks.empty()) {
    const bool ocr_off = limits.ocr.mode == OcrMode::kOff;
    if (format == "pdf" && ocr_off) {
      return Unsupported("no extractable text (a scanned PDF? OCR is off: --ocr auto reads it)");
    }
    return Unsupported(format == "pdf" || format == "image" ? "no extractable text (OCR found none)"
                                                            : "no extractable text");
  }
  doc.title = CleanTitle(doc.title);
  if (doc.title.empty()) {
    for (const Block& b : doc.blocks) {
      if (b.kind == BlockKind::kHeading) {
        doc.title = CleanTitle(b.text);
        break;
      }
    }
  }
  if (doc.title.empty()) doc.title = CleanTitle(FileStem(file_name));
  return Status::Ok();
}

Result<ExtractedDocument> Dispatch(const std::string& format, const ExtractInput& in) {
  if (format == "txt") return ExtractTxt(in);
  if (format == "md") return ExtractMarkdown(in);
  if (format == "html") return ExtractHtml(in);
  if (format == "csv") return ExtractCsv(in, ',');
  if (format == "tsv") return ExtractCsv(in, '\t');
  if (format == "pdf") return ExtractPdf(in);
  if (format == "docx") return ExtractDocx(in);
  if (format == "pptx") return ExtractPptx(in);
  if (format == "xlsx") return ExtractXlsx(in);
  if (format == "hwpx") return ExtractHwpx(in);
  if (format == "hwp") return ExtractHwp(in);
  if (format == "image") return ExtractImage(in);
  return Internal("no extractor for format " + format);
}

std::string SizeText(uint64_t bytes) {
  if (bytes < (1ull << 20)) return std::to_string(bytes) + " bytes";
  return std::to_string(bytes >> 20) + " MB";
}

Status TooLargeFile(uint64_t size, const Limits& limits) {
  return TooLarge("file is " + SizeText(size) + ", over the limit of " +
                  SizeText(limits.max_file_bytes));
}

}  // namespace

std::optional<std::string> FormatForPath(const fs::path& path) {
  std::string ext = Lower(path.extension().string());
  if (!ext.empty() && ext.front() == '.') ext.erase(0, 1);
  if (ext == "txt" || ext == "text") return "txt";
  if (ext == "md" || ext == "markdown" || ext == "mdown" || ext == "mkd") return "md";
  if (ext == "html" || ext == "htm" || ext == "xhtml") return "html";
  if (ext == "csv") return "csv";
  if (ext == "tsv") return "tsv";
  if (ext == "pdf") return "pdf";
  // The macro-enabled variants (.docm ...) hold the same parts; macros are never run.
  if (ext == "docx" || ext == "docm") return "docx";
  if (ext == "pptx" || ext == "pptm") return "pptx";
  if (ext == "xlsx" || ext == "xlsm") return "xlsx";
  if (ext == "hwpx") return "hwpx";
  if (ext == "hwp") return "hwp";
  if (ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "tif" || ext == "tiff") {
    return "image";
  }
  return std::nullopt;
}

Result<ExtractedDocument> ExtractBytes(std::string_view bytes, std::string_view file_name,
                                       const Limits& limits) {
  const std::string name(file_name);
  const std::optional<std::string> format = FormatForPath(fs::path(name));
  if (!format) {
    const std::string ext = fs::path(name).extension().string();
    return Unsupported(ext.empty() ? "unsupported file type (no extension)"
                                   : "unsupported file type \"" + ext + "\"")
        .WithContext(name);
  }
  if (bytes.size() > limits.max_file_bytes) {
    return TooLargeFile(bytes.size(), limits).WithContext(name);
  }
  if (bytes.empty()) return InvalidArgument("empty file").WithContext(name);

  // The firewall: no exception from a library or an allocation leaves the module.
  try {
    Result<ExtractedDocument> doc = Dispatch(*format, ExtractInput{bytes, file_name, limits});
    if (!doc.ok()) return doc.status().WithContext(name);
    const Status finished = Finish(*doc, *format, file_name, limits);
    if (!finished.ok()) return finished.WithContext(name);
    return doc;
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory while extracting").WithContext(name);
  } catch (const std::exception& e) {
    return Internal(std::string("extractor failed: ") + e.what()).WithContext(name);
  } catch (...) {
    return Internal("extractor failed with an unknown exception").WithContext(name);
  }
}

Result<ExtractedDocument> ExtractFile(const fs::path& path, const Limits& limits) {
  const std::string shown = path.string();
  if (!FormatForPath(path)) {
    return ExtractBytes({}, path.filename().string(), limits);  // the same Unsupported error
  }
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return NotFound(shown + ": no such file");
  if (!fs::is_regular_file(st)) return InvalidArgument(shown + ": not a regular file");
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return IOError(shown + ": cannot read size: " + ec.message());
  if (size > limits.max_file_bytes) return TooLargeFile(size, limits).WithContext(shown);

  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError(shown + ": cannot open for reading");
  // Read at most one byte past the limit: the file may have grown since it was measured.
  std::string bytes(static_cast<size_t>(std::min<uint64_t>(size, limits.max_file_bytes)) + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) return IOError(shown + ": read failed");
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.size() > limits.max_file_bytes) {
    return TooLargeFile(bytes.size(), limits).WithContext(shown);
  }
  return ExtractBytes(bytes, path.filename().string(), limits);
}

}  // namespace docent::ingest
