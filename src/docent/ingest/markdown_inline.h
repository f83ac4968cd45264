// Markdown inline syntax to plain text, for the markdown extractor. Private to the module.
#pragma once

#include <string>
#include <string_view>

namespace docent::ingest {

// "**Bold** [link](http://x) `code` a\_b &amp;" -> "Bold link code a_b &".
std::string StripMarkdownInline(std::string_view text);

}  // namespace docent::ingest
