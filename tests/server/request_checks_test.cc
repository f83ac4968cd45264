// Request checks on hostile bodies; each fuzzer crash becomes a case here.
#include "docent/server/request_checks.h"

#include <gtest/gtest.h>

namespace docent::server {
namespace {

TEST(RequestChecksTest, NumberOverflowIsABadRequestNotACrash) {
  // fuzz_request crash-cafbdac3: nlohmann throws out_of_range, not parse_error, for it.
  auto r = ParseJsonObject("application/json", "22222000e0000000005721.8566", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  auto in_object = ParseJsonObject("application/json", R"({"k": 1e999999})", 1 << 20);
  ASSERT_FALSE(in_object.ok());
  EXPECT_EQ(in_object.status().code(), StatusCode::kInvalidArgument);
}

TEST(RequestChecksTest, ContentTypeSizeAndShape) {
  EXPECT_EQ(ParseJsonObject("text/plain", "{}", 10).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(ParseJsonObject("application/json", "{\"a\": 1}", 3).status().code(),
            StatusCode::kTooLarge);
  EXPECT_EQ(ParseJsonObject("application/json", "[1]", 10).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseJsonObject("application/json; charset=utf-8", "{}", 10).ok());
}

}  // namespace
}  // namespace docent::server
