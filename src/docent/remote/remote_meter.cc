// Measuring prompts through a remote generator (see remote_meter.h).
#include "docent/remote/remote_meter.h"

#include "docent/rag/generative_prompt.h"

namespace docent::remote {
namespace {

using nlohmann::json;

// What a chat template adds around two messages, at most, for the families docent knows
// (Llama 3's headers are the longest: about 20 tokens).
constexpr size_t kTemplateMargin = 32;

std::string Joined(const llm::PartedMessage& m) {
  return llm::JoinParts(m).content;
}

}  // namespace

size_t EstimateTokens(std::string_view text) {
  size_t ascii = 0, other = 0;
  for (unsigned char c : text) {
    if (c < 0x80) {
      ++ascii;
    } else if ((c & 0xc0) != 0x80) {
      ++other;  // a lead byte: one code point
    }
  }
  return (ascii + 1) / 2 + 2 * other;
}

json RagMessagesJson(std::span<const search::Passage> given, std::string_view question,
                     Counting counting) {
  json out = json::array();
  for (const llm::PartedMessage& m : rag::RagPartedMessages(given, question)) {
    if (counting == Counting::kDocent) {
      json parts = json::array();
      for (const std::string& p : m.parts) parts.push_back({{"type", "text"}, {"text", p}});
      out.push_back({{"role", m.role}, {"content", std::move(parts)}});
    } else {
      out.push_back({{"role", m.role}, {"content", Joined(m)}});
    }
  }
  return out;
}

Result<size_t> RemoteMeter::PromptTokens(std::span<const search::Passage> given,
                                         std::string_view question) {
  switch (counting_) {
    case Counting::kDocent: {
      DOCENT_ASSIGN_OR_RETURN(
          auto ids, client_.Tokenize({{"messages", RagMessagesJson(given, question, counting_)}}));
      return ids.size();
    }
    case Counting::kTokenize: {
      size_t total = kTemplateMargin;
      for (const llm::PartedMessage& m : rag::RagPartedMessages(given, question)) {
        DOCENT_ASSIGN_OR_RETURN(auto ids, client_.Tokenize({{"content", Joined(m)}}));
        total += ids.size();
      }
      return total;
    }
    case Counting::kEstimate: {
      size_t total = kTemplateMargin;
      for (const llm::PartedMessage& m : rag::RagPartedMessages(given, question)) {
        total += EstimateTokens(Joined(m));
      }
      return total;
    }
  }
  return Internal("unknown counting");
}

Result<size_t> RemoteMeter::TextTokens(std::string_view text) {
  if (counting_ == Counting::kEstimate) return EstimateTokens(text);
  DOCENT_ASSIGN_OR_RETURN(auto ids, client_.Tokenize({{"content", std::string(text)}}));
  return ids.size();
}

Result<std::string> RemoteMeter::Head(std::string_view text, size_t max_tokens) {
  if (counting_ == Counting::kEstimate) {
    // The longest run of whole code points whose estimate fits.
    size_t end = 0, used = 0;
    while (end < text.size()) {
      size_t len = 1;
      while (end + len < text.size() &&
             (static_cast<unsigned char>(text[end + len]) & 0xc0) == 0x80)
        ++len;
      const size_t cost = static_cast<unsigned char>(text[end]) < 0x80 ? 1 : 4;  // halves
      if (used + cost > 2 * max_tokens) break;
      used += cost;
      end += len;
    }
    return std::string(text.substr(0, end));
  }
  DOCENT_ASSIGN_OR_RETURN(auto ids, client_.Tokenize({{"content", std::string(text)}}));
  if (ids.size() <= max_tokens) return std::string(text);
  ids.resize(max_tokens);
  return client_.Detokenize(ids);
}

}  // namespace docent::remote
