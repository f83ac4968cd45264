// Chat prompts in the exact form each model family was trained on, without a Jinja engine.
//
// A GGUF carries its prompt format as a Jinja template (tokenizer.chat_template). Running
// arbitrary Jinja is a large attack and maintenance surface for a server, and the families
// docent supports need only a handful of fixed shapes, so each is written out here and checked
// against the real template rendered with Python's jinja2 (tests/llm/chat_template_test.cc,
// tests/llm/testdata/render_chat_templates.py). DetectChatFamily maps a template's text to its
// family by the control tokens it uses.
//
// What each family renders (for plain system/user/assistant messages; no tools):
//   kChatMl   Qwen2.5's template: "<|im_start|>{role}\n{content}<|im_end|>\n" per message, and
//             Qwen2.5's default system prompt ("You are Qwen, created by Alibaba Cloud. You are
//             a helpful assistant.") when the first message is not a system one.
//   kQwen3    Qwen3's template: ChatML without a default system prompt; an assistant turn after
//             the last user message is written "<think>\n{reasoning}\n</think>\n\n{answer}"
//             (an empty think block when it has none), and earlier assistant turns lose their
//             <think>...</think> part. enable_thinking is left undefined (the template's
//             default: the model may think). A "tool" role is rendered as both Qwen templates
//             render it (a <tool_response> inside a user turn).
//   kLlama3   Meta-Llama-3-Instruct: "<|begin_of_text|>" then
//             "<|start_header_id|>{role}<|end_header_id|>\n\n{trimmed content}<|eot_id|>".
//             The first release of the template appended the assistant header even without
//             add_generation_prompt; we follow the later revision, which honours the flag.
//   kGemma    Gemma 2/3: "<bos>" then "<start_of_turn>{user|model}\n{trimmed content}
//             <end_of_turn>\n". Gemma has no system role: a leading system message is folded
//             into the first turn as "{system}\n\n{user}", as Gemma 3's template does (Gemma 2's
//             template refuses a system message outright; both agree on everything else).
//   kExaone   EXAONE 3.5: "[|system|]{content}[|endofturn|]\n" (an empty system turn when the
//             conversation does not open with one), "[|user|]{content}\n",
//             "[|assistant|]{content}[|endofturn|]\n".
//   kGeneric  no model template (base models): "System: ...", "User: ...", "Assistant: ..."
//             lines separated by blank lines; never chosen by DetectChatFamily.
// "Trimmed" is Jinja's trim, i.e. Python's str.strip(): Unicode whitespace, including U+3000
// and U+00A0, at both ends. Where a template raises an error (Gemma's user/model alternation)
// RenderChat renders the messages as given instead.
//
// BOS: the kLlama3 and kGemma renderings begin with the BOS token's text, as their templates do.
// Callers tokenize the rendered text with special-token parsing on (Tokenizer::Encode with
// parse_special) and must then not let the tokenizer add a second BOS: pass
// add_special = !RenderedTextStartsWithBos(family, text). ChatML, Qwen3 and EXAONE renderings
// contain no BOS; for them the vocabulary's own add-BOS setting applies as usual.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "docent/llm/gguf_file.h"

namespace docent::llm {

enum class ChatFamily { kChatMl, kQwen3, kLlama3, kGemma, kExaone, kGeneric };

// "chatml", "qwen3", "llama3", "gemma", "exaone", "generic": for logs and flags.
std::string_view ChatFamilyName(ChatFamily family);

// The family of a tokenizer.chat_template text, by the markers it contains:
// "<|start_header_id|>" Llama 3; "<start_of_turn>" Gemma; "[|endofturn|]" or "[|system|]"
// EXAONE; "<|im_start|>" ChatML, or Qwen3 when the template also handles "</think>". An empty
// or unrecognised template falls back to ChatML, the most common format among instruct models.
// Known approximation: QwQ's template also has both markers and is reported as kQwen3, but it
// opens the generation prompt with "<think>\n", which kQwen3 does not add.
ChatFamily DetectChatFamily(std::string_view chat_template_text);
// DetectChatFamily of a model file's tokenizer.chat_template (empty when it has none), so every
// command that prompts a model reads its family alike.
ChatFamily ChatFamilyOf(const GgufFile& file);

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" (Qwen also "tool")
  std::string content;
};

// The prompt text for `messages`, exactly as the family's template renders it. With
// add_generation_prompt the text ends with the opening of an assistant turn, ready for the
// model to continue.
std::string RenderChat(ChatFamily family, std::span<const ChatMessage> messages,
                       bool add_generation_prompt);

// Text that ends the model's turn, for stopping generation: the end-of-turn marker first, then
// the family's other end-of-generation tokens. Tokenize them with parse_special to get ids.
std::span<const std::string_view> StopStrings(ChatFamily family);

// The BOS token text a rendering begins with ("<|begin_of_text|>", "<bos>"), or "" when the
// family's template emits none.
std::string_view BosText(ChatFamily family);

// Jinja's `trim` filter, as the Llama 3 and Gemma templates apply it to contents: Python's
// str.strip() with no argument (Unicode whitespace at both ends).
std::string_view PythonStrip(std::string_view s);

// True when `rendered` already starts with the family's BOS text, so the tokenizer must not
// add one.
bool RenderedTextStartsWithBos(ChatFamily family, std::string_view rendered);

}  // namespace docent::llm
