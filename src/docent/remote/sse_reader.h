// Server-sent events as an OpenAI-compatible server streams them: "data: {json}" lines ending
// in a blank line, "data: [DONE]" last. Fed the body in whatever pieces the socket gives, it
// hands out each event's data once the event is complete (an event split across reads, or
// several in one read, come out whole and in order). Comments (":" lines) and other fields
// are skipped. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace docent::remote {

class SseReader {
 public:
  // Appends `bytes` and moves the data of every event now complete to `events`.
  void Feed(std::string_view bytes, std::vector<std::string>& events);
  // The body has ended: a last line without its newline, and an event without the blank line
  // that should close it, count (servers that send "data: [DONE]\n" and close).
  void Finish(std::vector<std::string>& events);
  // Bytes of an event not yet complete (a stream that ends here was cut).
  bool pending() const { return !buffer_.empty() || !data_.empty(); }

 private:
  std::string buffer_;  // the line being read
  std::string data_;    // the event's data lines so far, joined by "\n"
  bool has_data_ = false;
};

}  // namespace docent::remote
