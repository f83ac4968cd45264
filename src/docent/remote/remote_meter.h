// Measuring answer prompts for a remote generator (rag/prompt_meter.h), so the front node
// chooses and cuts sources as an in-process model would:
//   * a docent generator counts exactly: POST /tokenize {"messages"} gives the tokens its
//     /v1/chat/completions reads for the same chat, content parts and all;
//   * llama-server counts the text with /tokenize {"content"}, plus a margin for its template;
//   * a server with neither (Azure OpenAI, vLLM) is estimated from the text, conservatively.
// Also the request's messages, in the form the endpoint reads best. Thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "docent/rag/prompt_meter.h"
#include "docent/remote/openai_client.h"

namespace docent::remote {

// How an endpoint can count tokens.
enum class Counting { kDocent, kTokenize, kEstimate };

class RemoteMeter final : public rag::PromptMeter {
 public:
  RemoteMeter(const OpenAiClient& client, Counting counting)
      : client_(client), counting_(counting) {}
  Result<size_t> PromptTokens(std::span<const search::Passage> given,
                              std::string_view question) override;
  Result<size_t> TextTokens(std::string_view text) override;
  Result<std::string> Head(std::string_view text, size_t max_tokens) override;

 private:
  const OpenAiClient& client_;
  Counting counting_;
};

// The answer prompt's messages for `counting`'s kind of endpoint: a docent generator gets the
// system message as content parts (each read on its own, exactly as in-process), any other
// server plain strings.
nlohmann::json RagMessagesJson(std::span<const search::Passage> given, std::string_view question,
                               Counting counting);

// A conservative token count for text a server will not count for us: a quarter of a token
// more than byte-level BPE vocabularies spend on English (about 4 characters a token; here
// 2) and on Hangul (1 to 2 a syllable; here 2 a code point).
size_t EstimateTokens(std::string_view text);

}  // namespace docent::remote
