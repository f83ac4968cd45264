// Stop sequences over streamed text: what may be shown now, and whether a stop sequence has
// been reached. Text that could be the start of a stop sequence is held back until it is
// known not to be one, so a client never sees part of "</answer>" before the stream ends.
// Not thread-safe: one per generation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace docent::engine {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  // Appends `piece`; returns the text that can be shown. After a stop sequence is found,
  // stopped() is true and the text up to it has been returned; later calls return nothing.
  std::string Push(std::string_view piece);
  // What is still held back (the stream ended without completing a stop sequence).
  std::string Finish();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace docent::engine
