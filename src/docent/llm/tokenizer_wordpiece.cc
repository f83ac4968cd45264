// BERT normalisation and greedy longest-match WordPiece (see tokenizer_wordpiece.h).
#include "docent/llm/tokenizer_wordpiece.h"

#include <utf8proc.h>

#include <cstdlib>

#include "docent/util/utf8.h"

namespace docent::llm {
namespace {

constexpr std::string_view kWordStart = "\xE2\x96\x81";  // U+2581
constexpr size_t kMaxWordChars = 100;

bool IsBertWhitespace(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_ZS;
}

// Format and other control characters carry no text; tab and newlines count as spaces.
bool IsBertControl(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}

// BERT counts every non-alphanumeric ASCII symbol as punctuation, plus Unicode's P*.
bool IsBertPunctuation(char32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126)) {
    return true;
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

// The CJK Unified Ideographs blocks (not Hangul or kana, which BERT keeps in words).
bool IsCjkIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

std::string Nfd(std::string_view valid_utf8) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid_utf8.data()),
                                    static_cast<utf8proc_ssize_t>(valid_utf8.size()), &mapped,
                                    static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE));
  if (n < 0) return std::string(valid_utf8);
  std::string out(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  std::free(mapped);
  return out;
}

}  // namespace

std::vector<std::string> WordPieceSplitWords(std::string_view text) {
  const std::string nfd = Nfd(util::ToValidUtf8(text));
  std::vector<std::string> words;
  std::string current;
  auto end_word = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (size_t pos = 0; pos < nfd.size();) {
    char32_t cp = util::DecodeUtf8(nfd, pos);
    if (IsBertWhitespace(cp)) {
      end_word();
      continue;
    }
    if (cp == 0 || cp == util::kReplacementChar || IsBertControl(cp)) continue;
    if (utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_MN) continue;
    char32_t lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
    if (IsBertPunctuation(cp) || IsCjkIdeograph(cp)) {
      end_word();
      util::AppendUtf8(lower, current);
      end_word();
      continue;
    }
    util::AppendUtf8(lower, current);
  }
  end_word();
  return words;
}

std::unique_ptr<WordPieceBackend> WordPieceBackend::Create(const TokenizerVocab& vocab,
                                                           int32_t unk_id) {
  bool hash = false;
  size_t longest = 0;
  for (int32_t id = 0; id < vocab.size(); ++id) {
    std::string_view t = vocab.Text(id);
    if (t.size() > 2 && t.substr(0, 2) == "##") hash = true;
    longest = std::max(longest, t.size());
  }
  std::unique_ptr<WordPieceBackend> b(new WordPieceBackend(vocab, unk_id, hash));
  b->max_token_bytes_ = longest;
  return b;
}

void WordPieceBackend::Encode(std::string_view text, bool /*after_boundary*/,
                              std::vector<int32_t>& out) const {
  for (const std::string& word : WordPieceSplitWords(text)) EncodeWord(word, out);
}

void WordPieceBackend::EncodeWord(std::string_view word, std::vector<int32_t>& out) const {
  auto unknown = [&] {
    if (unk_id_ >= 0) out.push_back(unk_id_);
  };
  if (util::CountCodePoints(word) > kMaxWordChars) return unknown();
  const size_t mark = out.size();
  std::string candidate;
  for (size_t start = 0; start < word.size();) {
    size_t end = std::min(word.size(), start + max_token_bytes_);
    int32_t found = -1;
    for (; end > start; --end) {
      // Only cut on character boundaries.
      if (end < word.size() && (static_cast<uint8_t>(word[end]) & 0xC0) == 0x80) continue;
      candidate.clear();
      if (start == 0 && !hash_continuation_) candidate.append(kWordStart);
      if (start > 0 && hash_continuation_) candidate.append("##");
      candidate.append(word.substr(start, end - start));
      found = vocab_.Find(candidate);
      if (found >= 0) break;
    }
    if (found < 0) {
      out.resize(mark);
      return unknown();
    }
    out.push_back(found);
    start = end;
  }
}

void WordPieceBackend::AppendTokenBytes(int32_t id, std::string& out) const {
  std::string_view text = vocab_.Text(id);
  if (hash_continuation_) {
    if (text.size() > 2 && text.substr(0, 2) == "##") {
      out.append(text.substr(2));
    } else {
      out.push_back(' ');
      out.append(text);
    }
  } else if (text.substr(0, kWordStart.size()) == kWordStart) {
    out.push_back(' ');
    out.append(text.substr(kWordStart.size()));
  } else {
    out.append(text);
  }
}

}  // namespace docent::llm
