// Reading server-sent events (see sse_reader.h).
#include "docent/remote/sse_reader.h"

namespace docent::remote {

void SseReader::Feed(std::string_view bytes, std::vector<std::string>& events) {
  buffer_.append(bytes);
  size_t start = 0;
  for (;;) {
    const size_t nl = buffer_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(buffer_.data() + start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {  // the event ends
      if (has_data_) events.push_back(std::move(data_));
      data_.clear();
      has_data_ = false;
      continue;
    }
    if (line[0] == ':') continue;  // a comment (keep-alive)
    const size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    if (field != "data") continue;
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  }
  buffer_.erase(0, start);
}

void SseReader::Finish(std::vector<std::string>& events) {
  if (!buffer_.empty()) Feed("\n", events);
  Feed("\n", events);
}

}  // namespace docent::remote
