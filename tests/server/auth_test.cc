// API key lines: defaults, every field form, and errors that name the line but never the key;
// matching by digest.
#include "docent/server/auth.h"

#include <gtest/gtest.h>

namespace docent::server {
namespace {

ApiKey Parse(std::string_view line) {
  auto r = ParseApiKeyLine(line, 1);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r.ok() && r->has_value()) << line;
  return r.ok() && r->has_value() ? **r : ApiKey{};
}

TEST(ApiKeyLineTest, AKeyAloneReadsAndWritesEverywhere) {
  const ApiKey k = Parse("s3cret");
  EXPECT_TRUE(k.all_workspaces);
  EXPECT_TRUE(k.Has(kRead));
  EXPECT_TRUE(k.Has(kWrite));
  EXPECT_FALSE(k.Has(kAdmin));
  EXPECT_TRUE(k.Reaches("anything"));
  // The id is "k-" and 12 hex digits of SHA-256("s3cret"), computed with sha256sum:
  // printf s3cret | sha256sum -> 1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0
  EXPECT_EQ(k.id, "k-1ec1c26b50d5");
}

TEST(ApiKeyLineTest, FieldsInAnyOrder) {
  const ApiKey a = Parse("key1 workspaces=hr,fin rights=read");
  EXPECT_FALSE(a.all_workspaces);
  EXPECT_EQ(a.workspaces, (std::vector<std::string>{"hr", "fin"}));
  EXPECT_TRUE(a.Reaches("fin"));
  EXPECT_FALSE(a.Reaches("legal"));
  EXPECT_TRUE(a.Has(kRead));
  EXPECT_FALSE(a.Has(kWrite));
  const ApiKey b = Parse("  key2\trights=read,write   workspaces=*  \r");
  EXPECT_TRUE(b.all_workspaces);
  EXPECT_TRUE(b.Has(kWrite));
  EXPECT_FALSE(b.Has(kAdmin));
  const ApiKey c = Parse("key3 rights=admin");
  EXPECT_TRUE(c.Has(kRead) && c.Has(kWrite) && c.Has(kAdmin));
}

TEST(ApiKeyLineTest, BlankAndCommentLinesHoldNoKey) {
  for (std::string_view line : {"", "   ", "# a comment", "\r"}) {
    auto r = ParseApiKeyLine(line, 3);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value()) << line;
  }
}

TEST(ApiKeyLineTest, ErrorsNameTheLineAndNeverTheKey) {
  for (std::string_view line :
       {"topsecret rights=owner", "topsecret workspaces=HR", "topsecret color=blue",
        "topsecret rights=read rights=write", "topsecret workspaces=a workspaces=b",
        "topsecret rights=", "workspaces=hr"}) {
    auto r = ParseApiKeyLine(line, 7);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("line 7"), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status().message();
  }
}

TEST(ApiKeyFileTest, DuplicatesAndEmptyFilesAreRefused) {
  auto dup = ParseApiKeyFile("a1\n# c\nb2 rights=read\na1 rights=admin\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("line 4"), std::string::npos);
  EXPECT_FALSE(ParseApiKeyFile("# only a comment\n\n").ok());
  auto ok = ParseApiKeyFile("a1\nb2 workspaces=hr\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
}

TEST(AuthenticatorTest, FindsTheKeyByItsDigest) {
  auto keys = ParseApiKeyFile("alpha workspaces=hr\nbeta rights=admin\ngamma\n");
  ASSERT_TRUE(keys.ok());
  Authenticator auth(*keys);
  const ApiKey* beta = auth.Authenticate("Bearer beta");
  ASSERT_NE(beta, nullptr);
  EXPECT_TRUE(beta->Has(kAdmin));
  const ApiKey* alpha = auth.Authenticate("Bearer alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->workspaces, std::vector<std::string>{"hr"});
  EXPECT_NE(auth.Authenticate("Bearer gamma"), nullptr);
  for (std::string_view bad :
       {"Bearer alph", "Bearer alphaa", "Bearer ", "alpha", "Basic alpha", "Bearer  alpha", ""}) {
    EXPECT_EQ(auth.Authenticate(bad), nullptr) << bad;
  }
  EXPECT_FALSE(Authenticator({}).enabled());
}

}  // namespace
}  // namespace docent::server
