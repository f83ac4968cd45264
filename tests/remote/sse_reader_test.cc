// Reading an OpenAI-style event stream in whatever pieces the socket hands over.
#include "docent/remote/sse_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "docent/remote/remote_meter.h"

namespace docent::remote {
namespace {

const std::string kStream =
    ": keep-alive\n\n"
    "data: {\"a\":1}\n\n"
    "event: x\r\ndata: {\"b\":\r\ndata: 2}\r\n\r\n"
    "data: [DONE]\n\n";

TEST(SseReaderTest, EventsComeOutWholeWhateverTheReadSizes) {
  const std::vector<std::string> want = {"{\"a\":1}", "{\"b\":\n2}", "[DONE]"};
  for (size_t step = 1; step <= kStream.size(); ++step) {
    SseReader reader;
    std::vector<std::string> events;
    for (size_t at = 0; at < kStream.size(); at += step) {
      reader.Feed(std::string_view(kStream).substr(at, step), events);
    }
    EXPECT_EQ(events, want) << "reads of " << step << " bytes";
    EXPECT_FALSE(reader.pending());
  }
}

TEST(SseReaderTest, AStreamCutMidEventIsPending) {
  SseReader reader;
  std::vector<std::string> events;
  reader.Feed("data: {\"a\":1}\n\ndata: {\"b\"", events);
  EXPECT_EQ(events, std::vector<std::string>{"{\"a\":1}"});
  EXPECT_TRUE(reader.pending());
}

// Hand-counted: ASCII is half a token a byte (rounded up), any other code point two.
TEST(EstimateTokensTest, CountsHalfATokenPerAsciiByteAndTwoPerOtherCodePoint) {
  EXPECT_EQ(EstimateTokens(""), 0u);
  EXPECT_EQ(EstimateTokens("abc"), 2u);
  EXPECT_EQ(EstimateTokens("연차 휴가"), 1u + 2u * 4u);  // one space, four syllables
}

// A server that writes "data: [DONE]" and closes without the blank line (or even the
// newline): the end of the body ends the event.
TEST(SseReaderTest, TheEndOfTheBodyEndsTheLastEvent) {
  for (const std::string last : {"data: [DONE]\n", "data: [DONE]"}) {
    SseReader reader;
    std::vector<std::string> events;
    reader.Feed("data: {\"a\":1}\n\n" + last, events);
    EXPECT_EQ(events, std::vector<std::string>{"{\"a\":1}"});
    reader.Finish(events);
    EXPECT_EQ(events, (std::vector<std::string>{"{\"a\":1}", "[DONE]"})) << last;
    EXPECT_FALSE(reader.pending());
  }
  SseReader empty;
  std::vector<std::string> none;
  empty.Finish(none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace docent::remote
