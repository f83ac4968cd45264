// SSE framing and delta cutting.
#include "docent/server/answer_stream.h"

#include "docent/server/json_views.h"

namespace docent::server {

std::string SseEvent(std::string_view name, const nlohmann::json& data) {
  std::string out = "event: ";
  out += name;
  out += "\ndata: ";
  out += Dump(data);
  out += "\n\n";
  return out;
}

std::vector<std::string> DeltaPieces(const std::string& text) {
  // Cut after each "] " that closes a citation marker: "S1. [1] S2. [2]" -> "S1. [1] ", "S2. [2]".
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == ']' && text[i + 1] == ' ') {
      out.push_back(text.substr(start, i + 2 - start));
      start = i + 2;
    }
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

}  // namespace docent::server
