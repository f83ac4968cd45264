// Markdown inline syntax to plain text: emphasis and strike-through markers go (paired by
// CommonMark's flanking rules, so "2 * 3", "snake_case" and Korean "9~18시" survive), links
// and images keep their text, code spans keep their content, inline HTML tags go, escapes
// and entities are resolved.
#include "docent/ingest/markdown_inline.h"

#include <cctype>
#include <set>
#include <unordered_map>
#include <vector>

#include "docent/ingest/extractors.h"

namespace docent::ingest {
namespace {

// Links nest inside link text ([**a [b](c)**](d)); deeper nesting is left as written.
constexpr int kMaxLinkDepth = 8;

bool IsSpaceOrEnd(char c) {
  return c == '\0' || std::isspace(static_cast<unsigned char>(c));
}
bool IsPunct(char c) {
  return c != '\0' && std::ispunct(static_cast<unsigned char>(c));
}

struct Piece {
  std::string text;
  char delim = 0;  // '*', '_' or '~' for a delimiter run; 0 for text
  bool can_open = false, can_close = false, matched = false;
};

// The closing bracket of every '[' and '(' in `s` that has one, found in one pass so a
// paragraph of thousands of unbalanced brackets stays linear.
std::unordered_map<size_t, size_t> MatchBrackets(std::string_view s) {
  std::unordered_map<size_t, size_t> match;
  std::vector<size_t> squares, rounds;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      squares.push_back(i);
    } else if (c == '(') {
      rounds.push_back(i);
    } else if (c == ']' && !squares.empty()) {
      match[squares.back()] = i;
      squares.pop_back();
    } else if (c == ')' && !rounds.empty()) {
      match[rounds.back()] = i;
      rounds.pop_back();
    }
  }
  return match;
}

class InlineStripper {
 public:
  explicit InlineStripper(int depth) : depth_(depth) {}

  std::string Strip(std::string_view s) {
    brackets_ = MatchBrackets(s);
    size_t i = 0;
    while (i < s.size()) i = Step(s, i);
    MatchDelimiters();
    std::string out;
    for (const Piece& p : pieces_) out += p.delim && p.matched ? std::string() : p.text;
    return out;
  }

 private:
  void Literal(std::string_view text) {
    if (pieces_.empty() || pieces_.back().delim) pieces_.emplace_back();
    pieces_.back().text += text;
  }

  // Consumes one construct at s[i]; returns the index after it.
  size_t Step(std::string_view s, size_t i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && IsPunct(s[i + 1])) {
      Literal(s.substr(i + 1, 1));
      return i + 2;
    }
    if (c == '`') {
      size_t run = 0;
      while (i + run < s.size() && s[i + run] == '`') ++run;
      const std::string ticks(run, '`');
      // A run length that found no closer once finds none later either: searching again
      // for each of many unmatched runs would be quadratic.
      const size_t close =
          unmatched_ticks_.count(run) ? std::string_view::npos : s.find(ticks, i + run);
      if (close == std::string_view::npos) {
        unmatched_ticks_.insert(run);
        Literal(ticks);
        return i + run;
      }
      std::string_view code = s.substr(i + run, close - i - run);
      if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ') {
        code = code.substr(1, code.size() - 2);
      }
      Literal(code);
      return close + run;
    }
    if ((c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '[')) && depth_ < kMaxLinkDepth) {
      if (const size_t next = Link(s, c == '!' ? i + 1 : i); next != 0) return next;
    }
    if (c == '<') {
      const size_t close = s.find('>', i + 1);
      if (close != std::string_view::npos) {
        const std::string_view inner = s.substr(i + 1, close - i - 1);
        if (inner.find("://") != std::string_view::npos ||
            (inner.find('@') != std::string_view::npos &&
             inner.find(' ') == std::string_view::npos)) {
          Literal(inner);  // an autolink shows its address
          return close + 1;
        }
        const bool tag =
            !inner.empty() && (std::isalpha(static_cast<unsigned char>(inner[0])) ||
                               (inner[0] == '/' && inner.size() > 1) || inner.starts_with("!--"));
        if (tag) {
          if (inner == "br" || inner == "br/" || inner == "br /") Literal("\n");
          return close + 1;
        }
      }
    }
    if (c == '&') {
      const size_t semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 33) {
        const std::string decoded = DecodeHtmlEntities(s.substr(i, semi - i + 1));
        if (decoded != s.substr(i, semi - i + 1)) {
          Literal(decoded);
          return semi + 1;
        }
      }
    }
    if (c == '*' || c == '_' || c == '~') {
      size_t run = 0;
      while (i + run < s.size() && s[i + run] == c) ++run;
      // A single '~' is text: Korean writes ranges as "9~18시".
      if (c == '~' && run < 2) {
        Literal(s.substr(i, run));
        return i + run;
      }
      const char prev = i > 0 ? s[i - 1] : '\0';
      const char next = i + run < s.size() ? s[i + run] : '\0';
      const bool left =
          !IsSpaceOrEnd(next) && (!IsPunct(next) || IsSpaceOrEnd(prev) || IsPunct(prev));
      const bool right =
          !IsSpaceOrEnd(prev) && (!IsPunct(prev) || IsSpaceOrEnd(next) || IsPunct(next));
      Piece p;
      p.text = std::string(run, c);
      p.delim = c;
      p.can_open = c == '_' ? left && (!right || IsPunct(prev)) : left;
      p.can_close = c == '_' ? right && (!left || IsPunct(next)) : right;
      pieces_.push_back(std::move(p));
      return i + run;
    }
    Literal(s.substr(i, 1));
    return i + 1;
  }

  // [text](dest), [text][ref], [text][] and images; [^note] disappears. 0 when not a link.
  size_t Link(std::string_view s, size_t open) {
    const size_t close = Closing(open);
    if (close == std::string_view::npos) return 0;
    const std::string_view text = s.substr(open + 1, close - open - 1);
    if (text.starts_with('^')) return close + 1;  // a footnote reference
    size_t after = close + 1;
    if (after < s.size() && s[after] == '(') {
      after = Closing(after);
      if (after == std::string_view::npos) return 0;
      ++after;
    } else if (after < s.size() && s[after] == '[') {
      after = Closing(after);
      if (after == std::string_view::npos) return 0;
      ++after;
    } else {
      return 0;
    }
    Literal(InlineStripper(depth_ + 1).Strip(text));
    return after;
  }

  // Pairs closers with the nearest opener of the same character and run length.
  void MatchDelimiters() {
    std::vector<size_t> openers;
    for (size_t i = 0; i < pieces_.size(); ++i) {
      Piece& p = pieces_[i];
      if (!p.delim) continue;
      if (p.can_close) {
        for (size_t k = openers.size(); k-- > 0;) {
          Piece& o = pieces_[openers[k]];
          if (o.delim == p.delim && o.text.size() == p.text.size()) {
            o.matched = p.matched = true;
            openers.resize(k);
            break;
          }
        }
      }
      if (!p.matched && p.can_open) openers.push_back(i);
    }
  }

  size_t Closing(size_t open) const {
    const auto it = brackets_.find(open);
    return it == brackets_.end() ? std::string_view::npos : it->second;
  }

  int depth_;
  std::vector<Piece> pieces_;
  std::unordered_map<size_t, size_t> brackets_;  // '[' or '(' position -> its closer
  std::set<size_t> unmatched_ticks_;             // backtick run lengths with no closer
};

}  // namespace

std::string StripMarkdownInline(std::string_view text) {
  return InlineStripper(0).Strip(text);
}

}  // namespace docent::ingest
