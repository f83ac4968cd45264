// Resolving [n] markers in streamed text (see citation_filter.h).
#include "docent/rag/citation_filter.h"

#include <algorithm>

namespace docent::rag {
namespace {

// A marker is short; past this many bytes a bracket is just text.
constexpr size_t kMaxMarkerBytes = 24;

bool MarkerChar(char c) {
  return (c >= '0' && c <= '9') || c == ',' || c == ' ';
}

}  // namespace

std::string CitationFilter::Push(std::string_view piece) {
  std::string out;
  for (char c : piece) {
    if (held_.empty()) {
      if (c == '[') {
        held_ = "[";
        continue;
      }
      if (c == ' ') {
        out += pending_space_;
        pending_space_ = " ";
        continue;
      }
      out += pending_space_;
      pending_space_.clear();
      out += c;
      continue;
    }
    held_ += c;
    if (c == ']') {
      const std::string resolved = Resolve(held_);
      held_.clear();
      if (!resolved.empty()) out += pending_space_ + resolved;
      pending_space_.clear();
    } else if (!MarkerChar(c) || held_.size() > kMaxMarkerBytes) {
      // Not a marker: show it as written (a '[' inside starts over).
      out += pending_space_;
      pending_space_.clear();
      const std::string text = held_;
      held_.clear();
      if (text.back() == '[') {
        out += text.substr(0, text.size() - 1);
        held_ = "[";
      } else {
        out += text;
      }
    }
  }
  return out;
}

std::string CitationFilter::Finish() {
  std::string out = pending_space_ + held_;
  pending_space_.clear();
  held_.clear();
  return out;
}

std::optional<std::vector<int>> ParseMarkerNumbers(std::string_view inside) {
  std::vector<int> numbers;
  bool any_digit = false;
  int value = -1;
  for (size_t i = 0; i <= inside.size(); ++i) {
    const char c = i == inside.size() ? ',' : inside[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      value = value < 0 ? c - '0' : std::min(value * 10 + (c - '0'), 1000000);
    } else if (c == ',' || c == ' ') {  // ends a number
      if (value >= 0) numbers.push_back(value);
      value = -1;
    } else {
      return std::nullopt;
    }
  }
  if (!any_digit) return std::nullopt;
  return numbers;
}

std::string CitationFilter::Resolve(const std::string& marker) {
  // marker is "[" + digits, commas, spaces + "]".
  const std::optional<std::vector<int>> numbers =
      ParseMarkerNumbers(std::string_view(marker).substr(1, marker.size() - 2));
  if (!numbers) return marker;  // "[ ]" or "[,]": text, not a citation
  std::string out;
  for (int n : *numbers) {
    if (n < 1 || n > n_sources_) continue;
    out += "[" + std::to_string(n) + "]";
    if (std::find(used_.begin(), used_.end(), n) == used_.end()) used_.push_back(n);
  }
  return out;
}

}  // namespace docent::rag
