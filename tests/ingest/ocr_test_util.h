// Helpers for the OCR tests: page text from the shared evaluation corpora (real Korean and
// English prose, independent of docent), and character accuracy as the issue defines it.
#pragma once

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/text/normalize.h"
#include "docent/util/utf8.h"
#include "support/doc_writers.h"
#include "support/temp_dir.h"

namespace docent::ingest::test {

// Text NanumGothic can draw and a scan keeps: Hangul syllables, ASCII, a few marks.
inline bool Drawable(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t c = util::DecodeUtf8(text, pos);
    const bool ok = (c >= 0x20 && c < 0x7F) || (c >= 0xAC00 && c <= 0xD7A3) || c == 0xB7;
    if (!ok) return false;
  }
  return true;
}

// `count` passages of `min_chars` to `max_chars` code points from a BEIR corpus, in file
// order; with `cut_chars`, each cut at its last space before that many code points.
inline std::vector<std::string> CorpusPassages(const std::string& set, size_t count,
                                               size_t min_chars, size_t max_chars,
                                               size_t cut_chars = 0) {
  std::ifstream in(testing::SharedDir() / "eval" / set / "corpus.jsonl");
  std::vector<std::string> out;
  for (std::string line; out.size() < count && std::getline(in, line);) {
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.contains("text")) continue;
    const std::string text = CollapseSpaces(doc["text"].get<std::string>());
    const size_t n = util::CountCodePoints(text);
    if (n < min_chars || n > max_chars || !Drawable(text)) continue;
    if (cut_chars > 0 && n > cut_chars) {
      const std::string head = text.substr(0, util::ByteOffsetOfCodePoint(text, cut_chars));
      out.push_back(head.substr(0, head.rfind(' ')));
    } else {
      out.push_back(text);
    }
  }
  return out;
}

// 1 - CER: the Levenshtein distance between the NFC texts, runs of whitespace collapsed,
// over the reference's length in code points.
inline double CharAccuracy(const std::string& reference, const std::string& hypothesis) {
  auto code_points = [](const std::string& s) {
    const std::string t = CollapseSpaces(text::NormalizeNfc(s));
    std::vector<char32_t> out;
    for (size_t pos = 0; pos < t.size();) out.push_back(util::DecodeUtf8(t, pos));
    return out;
  };
  const std::vector<char32_t> r = code_points(reference), h = code_points(hypothesis);
  if (r.empty()) return h.empty() ? 1.0 : 0.0;
  std::vector<size_t> prev(h.size() + 1), cur(h.size() + 1);
  for (size_t j = 0; j <= h.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= r.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= h.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1])});
    }
    std::swap(prev, cur);
  }
  return 1.0 - static_cast<double>(prev[h.size()]) / static_cast<double>(r.size());
}

// Pages of paragraphs as WritePdf items.
inline std::vector<std::vector<testing::DocItem>> AsPages(
    const std::vector<std::vector<std::string>>& pages) {
  std::vector<std::vector<testing::DocItem>> out;
  for (const auto& page : pages) {
    out.emplace_back();
    for (const std::string& p : page) {
      out.back().push_back({testing::DocItem::Kind::kParagraph, 1, p, {}});
    }
  }
  return out;
}

}  // namespace docent::ingest::test
