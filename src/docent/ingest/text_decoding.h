// Turns the bytes of a plain-text format (txt, md, html, csv) into valid UTF-8: strips a
// UTF-8 BOM, converts UTF-16 and legacy Korean (CP949/EUC-KR), and repairs what is left.
// Private to the ingest module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace docent::ingest {

struct DecodedText {
  std::string text;                   // valid UTF-8, line endings normalised to '\n'
  std::string encoding;               // what the bytes were read as: "UTF-8", "CP949", ...
  std::vector<std::string> warnings;  // "converted from CP949", "invalid UTF-8 replaced ..."
};

// Decides the encoding, in this order: a BOM; UTF-16 recognised by its NUL pattern; valid
// UTF-8; `declared_charset` (an HTML <meta charset>, may be empty); CP949 when the bytes
// convert cleanly and come out mostly Hangul and ASCII; else UTF-8 with each malformed
// sequence replaced by U+FFFD. Fails (kUnsupported) only on bytes that are plainly binary.
Result<DecodedText> DecodeText(std::string_view bytes, std::string_view declared_charset = {});

// Converts `bytes` from `charset` to UTF-8 with iconv; nullopt when the charset is unknown
// (or not a plain name) or any byte sequence is invalid in it.
std::optional<std::string> ConvertToUtf8(std::string_view bytes, std::string_view charset);

}  // namespace docent::ingest
