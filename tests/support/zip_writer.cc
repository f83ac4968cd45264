// WriteZip over libzip, plus the small helpers every writer shares (XML escaping, plain files,
// OOXML document properties).
#include <zip.h>

#include <fstream>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

// kFixedIsoTime as an MS-DOS time and date (zip's own stamp), set directly so the bytes do not
// depend on the local time zone: date = (year - 1980) << 9 | month << 5 | day.
constexpr zip_uint16_t kDosTime = 0;
constexpr zip_uint16_t kDosDate = (2025 - 1980) << 9 | 1 << 5 | 1;

std::string ZipErrorText(zip_t* archive) {
  return zip_strerror(archive);
}

}  // namespace

Status WriteZip(const std::filesystem::path& path, const std::vector<ZipEntry>& entries) {
  int error_code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error_code);
  if (archive == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    std::string message = path.string() + ": cannot create zip: " + zip_error_strerror(&error);
    zip_error_fini(&error);
    return IOError(std::move(message));
  }
  auto fail = [&](const std::string& what) {
    std::string message = path.string() + ": " + what + ": " + ZipErrorText(archive);
    zip_discard(archive);
    return IOError(std::move(message));
  };
  for (const ZipEntry& entry : entries) {
    // The buffers stay owned by `entries`, which outlives zip_close below.
    zip_source_t* source = zip_source_buffer(archive, entry.data.data(), entry.data.size(), 0);
    if (source == nullptr) return fail("cannot add " + entry.name);
    const zip_int64_t index = zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return fail("cannot add " + entry.name);
    }
    const auto at = static_cast<zip_uint64_t>(index);
    const zip_int32_t method = entry.store ? ZIP_CM_STORE : ZIP_CM_DEFLATE;
    if (zip_set_file_compression(archive, at, method, 0) != 0 ||
        zip_file_set_dostime(archive, at, kDosTime, kDosDate, 0) != 0) {
      return fail("cannot set attributes of " + entry.name);
    }
  }
  if (zip_close(archive) != 0) return fail("cannot write");
  return Status::Ok();
}

Status WriteTextFile(const std::filesystem::path& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return IOError(path.string() + ": cannot write");
  return Status::Ok();
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no C0 controls but tab, newline and carriage return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

namespace internal {

std::string OoxmlCoreProps(std::string_view title) {
  const std::string time = kFixedIsoTime;
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<cp:coreProperties"
         " xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
         " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
         " xmlns:dcterms=\"http://purl.org/dc/terms/\""
         " xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\""
         " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" +
         (title.empty() ? std::string() : "<dc:title>" + XmlEscape(title) + "</dc:title>") +
         "<dc:creator>docent</dc:creator>"
         "<dcterms:created xsi:type=\"dcterms:W3CDTF\">" +
         time +
         "</dcterms:created>"
         "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">" +
         time +
         "</dcterms:modified>"
         "</cp:coreProperties>";
}

std::string OoxmlAppProps(std::string_view application) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<Properties"
         " xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\""
         " xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
         "<Application>" +
         XmlEscape(application) +
         "</Application>"
         "</Properties>";
}

bool HasHangul(std::string_view text) {
  // Decodes just enough UTF-8 to see 3-byte code points in the Hangul blocks:
  // jamo U+1100-11FF, compatibility jamo U+3130-318F, syllables U+AC00-D7A3.
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if ((b0 & 0xF0) != 0xE0) continue;
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    const auto b2 = static_cast<unsigned char>(text[i + 2]);
    const char32_t cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
        (cp >= 0xAC00 && cp <= 0xD7A3)) {
      return true;
    }
  }
  return false;
}

}  // namespace internal
}  // namespace docent::testing
