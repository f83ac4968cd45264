// Stop sequences over streamed text: the text before the stop comes out whole, nothing of
// the stop sequence leaks, a false start is released, and the cut does not depend on how the
// stream was split.
#include "docent/engine/stop_matcher.h"

#include <gtest/gtest.h>

namespace docent::engine {
namespace {

TEST(StopMatcherTest, StopsBeforeTheSequenceAtAnySplit) {
  const std::string text = "The answer is <end maybe, then 42.</end> ignored";
  for (size_t step : {1, 2, 3, 7, 100}) {
    StopMatcher m({"</end>", "\n\nUser:"});
    std::string out;
    for (size_t i = 0; i < text.size() && !m.stopped(); i += step)
      out += m.Push(text.substr(i, step));
    out += m.Finish();
    EXPECT_TRUE(m.stopped()) << step;
    EXPECT_EQ(out, "The answer is <end maybe, then 42.") << step;
  }
}

TEST(StopMatcherTest, HoldsBackOnlyAPossiblePrefix) {
  StopMatcher m({"STOP"});
  EXPECT_EQ(m.Push("abcST"), "abc");
  EXPECT_EQ(m.Push("x"), "STx");
  EXPECT_EQ(m.Push("S"), "");
  EXPECT_EQ(m.Finish(), "S");
  EXPECT_FALSE(m.stopped());
  StopMatcher none({});
  EXPECT_EQ(none.Push("anything"), "anything");
}

}  // namespace
}  // namespace docent::engine
