// The fixed chat formats (see chat_template.h). Each Render* mirrors one Jinja template line by
// line, so a reader can hold the two side by side; the comments name the template construct a
// branch stands for.
#include "docent/llm/chat_template.h"

#include <array>
#include <cstdint>
#include <initializer_list>

namespace docent::llm {
namespace {

// Python's str.isspace() code points (what Jinja's trim strips), from
// [c for c in range(0x110000) if chr(c).isspace()].
bool IsPythonSpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

// Decodes the UTF-8 sequence of `len` bytes at `p`; false when it is not a valid one (such bytes
// are never whitespace, so trimming stops there).
bool DecodeAt(std::string_view s, size_t pos, size_t len, uint32_t& cp) {
  if (pos + len > s.size()) return false;
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (len == 1) {
    cp = b0;
    return b0 < 0x80;
  }
  static constexpr unsigned char kLeadMask[] = {0, 0, 0x1f, 0x0f, 0x07};
  cp = b0 & kLeadMask[len];
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xc0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3f);
  }
  return true;
}

size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 0;
}

}  // namespace

std::string_view PythonStrip(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    const size_t len = SequenceLength(static_cast<unsigned char>(s[begin]));
    uint32_t cp = 0;
    if (len == 0 || !DecodeAt(s, begin, len, cp) || !IsPythonSpace(cp)) break;
    begin += len;
  }
  size_t end = s.size();
  while (end > begin) {
    // Back up over continuation bytes to the start of the last character.
    size_t start = end - 1;
    while (start > begin && end - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) {
      --start;
    }
    const size_t len = SequenceLength(static_cast<unsigned char>(s[start]));
    uint32_t cp = 0;
    if (len != end - start || !DecodeAt(s, start, len, cp) || !IsPythonSpace(cp)) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

namespace {

// Python's s.lstrip(chars) / s.rstrip(chars) / s.strip(chars) for a single ASCII char.
std::string_view LStripChar(std::string_view s, char c) {
  while (!s.empty() && s.front() == c) s.remove_prefix(1);
  return s;
}
std::string_view RStripChar(std::string_view s, char c) {
  while (!s.empty() && s.back() == c) s.remove_suffix(1);
  return s;
}

// Python's s.split(sep)[-1] and s.split(sep)[0].
std::string_view AfterLast(std::string_view s, std::string_view sep) {
  const size_t at = s.rfind(sep);
  return at == std::string_view::npos ? s : s.substr(at + sep.size());
}
std::string_view BeforeFirst(std::string_view s, std::string_view sep) {
  return s.substr(0, s.find(sep));
}

void Append(std::string& out, std::initializer_list<std::string_view> parts) {
  for (std::string_view p : parts) out.append(p);
}

constexpr std::string_view kQwenDefaultSystem =
    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

// The `elif message.role == "tool"` branch both Qwen templates share: consecutive tool
// messages share one user turn.
void AppendQwenTool(std::string& out, std::span<const ChatMessage> messages, size_t i) {
  if (i == 0 || messages[i - 1].role != "tool") out.append("<|im_start|>user");
  Append(out, {"\n<tool_response>\n", messages[i].content, "\n</tool_response>"});
  if (i + 1 == messages.size() || messages[i + 1].role != "tool") out.append("<|im_end|>\n");
}

std::string RenderChatMl(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out;
  // {%- if messages[0]['role'] == 'system' %} ... {%- else %} default system prompt. (The real
  // template fails on an empty conversation; the default prompt is the useful reading.)
  if (!messages.empty() && messages[0].role == "system") {
    Append(out, {"<|im_start|>system\n", messages[0].content, "<|im_end|>\n"});
  } else {
    Append(out, {"<|im_start|>system\n", kQwenDefaultSystem, "<|im_end|>\n"});
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "user" || (m.role == "system" && i != 0) || m.role == "assistant") {
      Append(out, {"<|im_start|>", m.role, "\n", m.content, "<|im_end|>\n"});
    } else if (m.role == "tool") {
      AppendQwenTool(out, messages, i);
    }  // other roles: the template renders nothing
  }
  if (add_generation_prompt) out.append("<|im_start|>assistant\n");
  return out;
}

std::string RenderQwen3(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out;
  if (!messages.empty() && messages[0].role == "system") {
    Append(out, {"<|im_start|>system\n", messages[0].content, "<|im_end|>\n"});
  }
  // ns.last_query_index: the last user message that is not a wrapped tool response.
  size_t last_query = messages.empty() ? 0 : messages.size() - 1;
  for (size_t i = messages.size(); i-- > 0;) {
    const ChatMessage& m = messages[i];
    const std::string_view c = m.content;
    if (m.role == "user" &&
        !(c.starts_with("<tool_response>") && c.ends_with("</tool_response>"))) {
      last_query = i;
      break;
    }
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "user" || (m.role == "system" && i != 0)) {
      Append(out, {"<|im_start|>", m.role, "\n", m.content, "<|im_end|>\n"});
    } else if (m.role == "assistant") {
      std::string_view content = m.content;
      std::string_view reasoning;
      if (content.find("</think>") != std::string_view::npos) {
        const std::string_view full = m.content;
        content = LStripChar(AfterLast(full, "</think>"), '\n');
        reasoning =
            LStripChar(AfterLast(RStripChar(BeforeFirst(full, "</think>"), '\n'), "<think>"), '\n');
      }
      const bool last = i + 1 == messages.size();
      if (i > last_query && (last || !reasoning.empty())) {
        Append(out,
               {"<|im_start|>assistant\n<think>\n", RStripChar(LStripChar(reasoning, '\n'), '\n'),
                "\n</think>\n\n", LStripChar(content, '\n')});
      } else {
        Append(out, {"<|im_start|>assistant\n", content});
      }
      out.append("<|im_end|>\n");
    } else if (m.role == "tool") {
      AppendQwenTool(out, messages, i);
    }
  }
  if (add_generation_prompt) out.append("<|im_start|>assistant\n");
  return out;
}

std::string RenderLlama3(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    // {% if loop.index0 == 0 %}{% set content = bos_token + content %}
    if (i == 0) out.append("<|begin_of_text|>");
    Append(out, {"<|start_header_id|>", messages[i].role, "<|end_header_id|>\n\n",
                 PythonStrip(messages[i].content), "<|eot_id|>"});
  }
  if (add_generation_prompt) out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
  return out;
}

std::string RenderGemma(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out = "<bos>";
  std::string_view first_user_prefix;
  size_t first = 0;
  std::string prefix_storage;
  if (!messages.empty() && messages[0].role == "system") {
    // Gemma 3: first_user_prefix = messages[0]['content'] + '\n\n' (the system text untrimmed).
    prefix_storage = messages[0].content + "\n\n";
    first_user_prefix = prefix_storage;
    first = 1;
  }
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    const std::string_view role = m.role == "assistant" ? std::string_view("model") : m.role;
    Append(out, {"<start_of_turn>", role, "\n", i == first ? first_user_prefix : "",
                 PythonStrip(m.content), "<end_of_turn>\n"});
  }
  if (add_generation_prompt) out.append("<start_of_turn>model\n");
  return out;
}

std::string RenderExaone(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (i == 0 && m.role != "system") out.append("[|system|][|endofturn|]\n");
    Append(out, {"[|", m.role, "|]", m.content, m.role == "user" ? "\n" : "[|endofturn|]\n"});
  }
  if (add_generation_prompt) out.append("[|assistant|]");
  return out;
}

std::string RenderGeneric(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out;
  for (const ChatMessage& m : messages) {
    std::string role = m.role;
    if (!role.empty() && role[0] >= 'a' && role[0] <= 'z')
      role[0] = static_cast<char>(role[0] - 32);
    Append(out, {role, ": ", m.content, "\n\n"});
  }
  if (add_generation_prompt) out.append("Assistant:");
  return out;
}

constexpr std::array<std::string_view, 2> kChatMlStops = {"<|im_end|>", "<|endoftext|>"};
constexpr std::array<std::string_view, 2> kLlama3Stops = {"<|eot_id|>", "<|end_of_text|>"};
constexpr std::array<std::string_view, 2> kGemmaStops = {"<end_of_turn>", "<eos>"};
constexpr std::array<std::string_view, 1> kExaoneStops = {"[|endofturn|]"};
constexpr std::array<std::string_view, 1> kGenericStops = {"\nUser:"};

}  // namespace

std::string_view ChatFamilyName(ChatFamily family) {
  switch (family) {
    case ChatFamily::kChatMl:
      return "chatml";
    case ChatFamily::kQwen3:
      return "qwen3";
    case ChatFamily::kLlama3:
      return "llama3";
    case ChatFamily::kGemma:
      return "gemma";
    case ChatFamily::kExaone:
      return "exaone";
    case ChatFamily::kGeneric:
      return "generic";
  }
  return "chatml";
}

ChatFamily ChatFamilyOf(const GgufFile& file) {
  auto text = file.GetString("tokenizer.chat_template");
  return DetectChatFamily(text.ok() ? *text : std::string_view());
}

ChatFamily DetectChatFamily(std::string_view t) {
  auto has = [t](std::string_view marker) { return t.find(marker) != std::string_view::npos; };
  if (has("<|im_start|>")) return has("</think>") ? ChatFamily::kQwen3 : ChatFamily::kChatMl;
  if (has("<|start_header_id|>")) return ChatFamily::kLlama3;
  if (has("<start_of_turn>")) return ChatFamily::kGemma;
  if (has("[|endofturn|]") || has("[|system|]")) return ChatFamily::kExaone;
  return ChatFamily::kChatMl;
}

std::string RenderChat(ChatFamily family, std::span<const ChatMessage> messages,
                       bool add_generation_prompt) {
  switch (family) {
    case ChatFamily::kChatMl:
      return RenderChatMl(messages, add_generation_prompt);
    case ChatFamily::kQwen3:
      return RenderQwen3(messages, add_generation_prompt);
    case ChatFamily::kLlama3:
      return RenderLlama3(messages, add_generation_prompt);
    case ChatFamily::kGemma:
      return RenderGemma(messages, add_generation_prompt);
    case ChatFamily::kExaone:
      return RenderExaone(messages, add_generation_prompt);
    case ChatFamily::kGeneric:
      return RenderGeneric(messages, add_generation_prompt);
  }
  return RenderChatMl(messages, add_generation_prompt);
}

std::span<const std::string_view> StopStrings(ChatFamily family) {
  switch (family) {
    case ChatFamily::kChatMl:
    case ChatFamily::kQwen3:
      return kChatMlStops;
    case ChatFamily::kLlama3:
      return kLlama3Stops;
    case ChatFamily::kGemma:
      return kGemmaStops;
    case ChatFamily::kExaone:
      return kExaoneStops;
    case ChatFamily::kGeneric:
      return kGenericStops;
  }
  return kChatMlStops;
}

std::string_view BosText(ChatFamily family) {
  switch (family) {
    case ChatFamily::kLlama3:
      return "<|begin_of_text|>";
    case ChatFamily::kGemma:
      return "<bos>";
    default:
      return "";
  }
}

bool RenderedTextStartsWithBos(ChatFamily family, std::string_view rendered) {
  const std::string_view bos = BosText(family);
  return !bos.empty() && rendered.starts_with(bos);
}

}  // namespace docent::llm
