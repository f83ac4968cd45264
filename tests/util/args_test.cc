#include "docent/cli/args.h"

#include <gtest/gtest.h>

namespace docent::cli {
namespace {

TEST(ArgsTest, ParsesValuesFlagsAndPositionals) {
  auto a = ParseArgs({"annual leave", "-k", "5", "--json", "--data=/tmp/x"}, {{"-k", "--data"}, {"--json"}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->positional, std::vector<std::string>{"annual leave"});
  EXPECT_EQ(a->Get("--data"), "/tmp/x");
  EXPECT_TRUE(a->Has("--json"));
  auto k = a->GetInt("-k", 10, 1, 100);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, 5);
}

TEST(ArgsTest, RejectsUnknownFlagsAndBadNumbers) {
  auto unknown = ParseArgs({"--jsn"}, {{}, {"--json"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--jsn"), std::string::npos);
  auto missing = ParseArgs({"-k"}, {{"-k"}, {}});
  EXPECT_FALSE(missing.ok());
  auto a = ParseArgs({"-k", "ten"}, {{"-k"}, {}});
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->GetInt("-k", 10, 1, 100).ok());
  auto b = ParseArgs({"-k", "0"}, {{"-k"}, {}});
  EXPECT_FALSE(b->GetInt("-k", 10, 1, 100).ok());
}

TEST(ArgsTest, DoubleDashEndsFlags) {
  auto a = ParseArgs({"--", "--json"}, {{}, {"--json"}});
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->Has("--json"));
  EXPECT_EQ(a->positional, std::vector<std::string>{"--json"});
}

}  // namespace
}  // namespace docent::cli
