// Unicode normalisation for the text path (UTF-8 validation lives in util/utf8.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace docent::text {

// NFC-normalises valid UTF-8 (utf8proc). Invalid input is repaired first
// (util::ToValidUtf8), so the result is always valid NFC UTF-8.
std::string NormalizeNfc(std::string_view utf8);

}  // namespace docent::text
