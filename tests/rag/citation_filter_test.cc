// Citation markers resolved while an answer streams: valid ones pass and are recorded, ones
// naming no source vanish (with their leading space), brackets that are not markers stay, and
// the result does not depend on where the stream was cut.
#include "docent/rag/citation_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace docent::rag {
namespace {

// Feeds `text` in pieces of `step` bytes and returns everything emitted.
std::string Stream(CitationFilter& f, const std::string& text, size_t step) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += step) out += f.Push(text.substr(i, step));
  return out + f.Finish();
}

TEST(CitationFilterTest, KeepsValidMarkersDropsInvalidOnesAtAnySplit) {
  const std::string text =
      "Leave carries over [1]. Unused days lapse [7]. See [2, 9] and [3][2]. Arrays use a[i] "
      "and [see above], [ ] too. 연차는 15일입니다 [2].";
  const std::string want =
      "Leave carries over [1]. Unused days lapse. See [2] and [3][2]. Arrays use a[i] "
      "and [see above], [ ] too. 연차는 15일입니다 [2].";
  for (size_t step : {1, 2, 3, 5, 1000}) {
    CitationFilter f(3);
    EXPECT_EQ(Stream(f, text, step), want) << "pieces of " << step;
    EXPECT_EQ(f.used(), (std::vector<int>{1, 2, 3})) << step;
  }
}

TEST(CitationFilterTest, HoldsBackOnlyWhatMightBeAMarker) {
  CitationFilter f(2);
  EXPECT_EQ(f.Push("Yes ["), "Yes");
  EXPECT_EQ(f.Push("1"), "");
  EXPECT_EQ(f.Push("]."), " [1].");
  EXPECT_EQ(f.Push(" [0] x"), " x");  // 0 names no source
  // Past 24 bytes a bracket cannot be a marker: it and what follows flow out at once.
  EXPECT_EQ(f.Push(" [12345678901234567890123456789"), " [12345678901234567890123456789");
  EXPECT_EQ(f.Finish(), "");
  EXPECT_EQ(f.used(), std::vector<int>{1});
}

TEST(CitationFilterTest, AnUnfinishedBracketIsShownAtTheEnd) {
  CitationFilter f(5);
  EXPECT_EQ(Stream(f, "cut off [3", 2), "cut off [3");
  EXPECT_TRUE(f.used().empty());
}

}  // namespace
}  // namespace docent::rag
