// Rendering and tokenizing a chat (see chat_encode.h).
#include "docent/llm/chat_encode.h"

namespace docent::llm {
namespace {

// What a message's content is replaced by to find the template's own text around it: no
// template trims, escapes or inspects it (it holds no whitespace at its ends, no "</think>").
std::string Placeholder(size_t index) {
  return "\x01@docent-content-" + std::to_string(index) + "@\x01";
}

// The template's text around the contents: RenderChat of `messages` with each content replaced
// by its placeholder, cut at the placeholders. Empty when a placeholder is not written exactly
// once, in order.
std::vector<std::string> TemplatePieces(ChatFamily family, std::span<const ChatMessage> messages) {
  std::vector<ChatMessage> marked(messages.begin(), messages.end());
  for (size_t i = 0; i < marked.size(); ++i) marked[i].content = Placeholder(i);
  const std::string rendered = RenderChat(family, marked, /*add_generation_prompt=*/true);
  std::vector<std::string> pieces;
  size_t at = 0;
  for (size_t i = 0; i < marked.size(); ++i) {
    const std::string mark = Placeholder(i);
    const size_t found = rendered.find(mark, at);
    if (found == std::string::npos || rendered.find(mark, found + 1) != std::string::npos) {
      return {};
    }
    pieces.push_back(rendered.substr(at, found - at));
    at = found + mark.size();
  }
  pieces.push_back(rendered.substr(at));
  return pieces;
}

// Drops the first `front` and the last `back` bytes of the concatenation of `parts`.
std::vector<std::string> CutParts(std::vector<std::string> parts, size_t front, size_t back) {
  for (std::string& p : parts) {
    const size_t n = std::min(front, p.size());
    p.erase(0, n);
    front -= n;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    const size_t n = std::min(back, it->size());
    it->erase(it->size() - n);
    back -= n;
  }
  return parts;
}

}  // namespace

std::vector<uint32_t> EncodeChat(const Tokenizer& tokenizer, ChatFamily family,
                                 std::span<const ChatMessage> messages) {
  const std::string text = RenderChat(family, messages, /*add_generation_prompt=*/true);
  const bool has_bos = RenderedTextStartsWithBos(family, text);
  const std::vector<int32_t> ids =
      tokenizer.Encode(text, /*add_special=*/!has_bos, /*parse_special=*/true);
  return std::vector<uint32_t>(ids.begin(), ids.end());
}

ChatMessage JoinParts(const PartedMessage& message) {
  ChatMessage out{message.role, {}};
  for (const std::string& p : message.parts) out.content += p;
  return out;
}

PartedChat EncodeChatParts(const Tokenizer& tokenizer, ChatFamily family,
                           std::span<const PartedMessage> messages) {
  std::vector<ChatMessage> joined;
  joined.reserve(messages.size());
  for (const PartedMessage& m : messages) joined.push_back(JoinParts(m));
  const std::string rendered = RenderChat(family, joined, /*add_generation_prompt=*/true);
  const std::vector<std::string> around = TemplatePieces(family, joined);

  // Each content as the template writes it: verbatim, or stripped (all of them alike).
  std::vector<std::vector<std::string>> contents;
  for (const bool strip : {false, true}) {
    std::string text = around.empty() ? std::string() : around[0];
    contents.clear();
    for (size_t i = 0; i < joined.size() && !around.empty(); ++i) {
      const std::string& c = joined[i].content;
      const std::string_view kept = strip ? PythonStrip(c) : std::string_view(c);
      const size_t front = static_cast<size_t>(kept.data() - c.data());
      contents.push_back(CutParts(messages[i].parts, front, c.size() - front - kept.size()));
      text.append(kept).append(around[i + 1]);
    }
    if (!around.empty() && text == rendered) break;
    contents.clear();
  }

  PartedChat out;
  std::vector<int32_t> ids;
  bool follows_text = false;
  auto add = [&](std::string_view text, bool parse_special, int message, int part) {
    ids.clear();
    follows_text = tokenizer.EncodePiece(text, parse_special, follows_text, ids);
    const uint32_t begin = static_cast<uint32_t>(out.tokens.size());
    out.tokens.insert(out.tokens.end(), ids.begin(), ids.end());
    out.pieces.push_back({message, part, begin, static_cast<uint32_t>(out.tokens.size())});
  };
  if (contents.empty()) {
    // The template rewrites a content (Qwen3's reasoning, say): one text, as EncodeChat reads it.
    out.parted = false;
    const std::vector<uint32_t> whole = EncodeChat(tokenizer, family, joined);
    out.tokens = whole;
    out.pieces.push_back({-1, -1, 0, static_cast<uint32_t>(whole.size())});
    return out;
  }
  // BOS unless the template writes its own.
  if (!RenderedTextStartsWithBos(family, rendered) && tokenizer.add_bos() && tokenizer.bos() >= 0) {
    out.tokens.push_back(static_cast<uint32_t>(tokenizer.bos()));
    out.pieces.push_back({-1, -1, 0, 1});
  }
  for (size_t i = 0; i < contents.size(); ++i) {
    add(around[i], /*parse_special=*/true, -1, -1);
    for (size_t p = 0; p < contents[i].size(); ++p) {
      // Contents come from users and documents: never control tokens.
      add(contents[i][p], /*parse_special=*/false, static_cast<int>(i), static_cast<int>(p));
    }
  }
  add(around.back(), /*parse_special=*/true, -1, -1);
  return out;
}

}  // namespace docent::llm
