// The generative answer pipeline on a synthetic model (its text is noise; the pipeline is what
// is checked): a refusal never runs the model, the streamed deltas add up to the answer, the
// same question gives the same bytes, sources that do not fit the context are dropped from the
// end, and every citation returned names one of the sources given.
#include "docent/rag/generative_answer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "docent/llm/model_synth.h"
#include "support/model_files.h"

namespace docent::rag {
namespace {

struct Engine {
  std::unique_ptr<llm::Model> model;
  std::unique_ptr<llm::Tokenizer> tokenizer;
  std::unique_ptr<engine::Scheduler> scheduler;
  AnswerModel answer_model() const {
    return {scheduler.get(), tokenizer.get(), llm::ChatFamily::kChatMl, model->max_positions()};
  }
};

Engine Load(uint32_t context) {
  static const std::vector<uint8_t>* bytes = [] {
    llm::SynthModelSpec spec;
    spec.arch = llm::ModelArch::kLlama;
    spec.weight_type = llm::GgmlType::kQ8_0;
    auto w = llm::BuildSynthModel(spec, testing::StoriesGguf());
    if (!w.ok()) std::abort();
    return new std::vector<uint8_t>(w->Serialize());
  }();
  auto file = llm::GgufFile::FromBytes(*bytes, "synth.gguf");
  EXPECT_TRUE(file.ok());
  Engine e;
  e.tokenizer = std::move(llm::Tokenizer::FromGguf(*file)).value();
  llm::ModelOptions options;
  options.max_positions = context;
  options.threads = 2;
  e.model = std::move(llm::Model::FromFile(std::move(file).value(), options)).value();
  e.scheduler =
      std::make_unique<engine::Scheduler>(*e.model, *e.tokenizer, engine::SchedulerOptions{});
  return e;
}

std::vector<search::Passage> Passages(size_t n, size_t words) {
  std::vector<search::Passage> out;
  for (size_t i = 0; i < n; ++i) {
    search::Passage p;
    p.doc_title = "Doc " + std::to_string(i);
    for (size_t w = 0; w < words; ++w) p.text += "leave days policy ";
    out.push_back(p);
  }
  return out;
}

TEST(GenerativeAnswerTest, RefusesWithoutRunningTheModel) {
  Engine e = Load(512);
  std::string streamed;
  auto a = AnswerGeneratively(e.answer_model(), "연차는 며칠인가요?", Passages(3, 5), false, {},
                              [&](std::string_view t) { streamed += t; });
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->found);
  EXPECT_EQ(a->text, NotFoundMessage("연차는 며칠인가요?"));
  EXPECT_EQ(streamed, a->text);
  EXPECT_EQ(e.scheduler->Stats().requests, 0u);
}

TEST(GenerativeAnswerTest, StreamsDeterministicallyAndCitesOnlyGivenSources) {
  Engine e = Load(1024);
  GenerativeOptions options;
  options.max_tokens = 24;
  std::string first;
  std::string streamed;
  for (int run = 0; run < 2; ++run) {
    streamed.clear();
    auto a = AnswerGeneratively(e.answer_model(), "How many days?", Passages(3, 5), true, options,
                                [&](std::string_view t) { streamed += t; });
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_TRUE(a->found);
    EXPECT_EQ(streamed, a->text);
    EXPECT_EQ(a->sources.size(), 3u);
    for (const Citation& c : a->citations) {
      EXPECT_GE(c.number, 1);
      EXPECT_LE(c.number, 3);
    }
    if (run == 0) first = a->text;
    EXPECT_EQ(a->text, first);
    // The second run reads the same prompt: all but its last token come from the cache.
    if (run == 1) {
      EXPECT_EQ(a->generation.cached_prompt_tokens + 1, a->generation.prompt_tokens);
    }
  }
}

TEST(GenerativeAnswerTest, SourcesThatDoNotFitAreDroppedFromTheEnd) {
  Engine e = Load(512);
  GenerativeOptions options;
  options.max_tokens = 16;
  auto a = AnswerGeneratively(e.answer_model(), "How many days?", Passages(5, 12), true, options,
                              nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_GE(a->sources.size(), 1u);
  EXPECT_LT(a->sources.size(), 5u);
  EXPECT_LE(a->generation.prompt_tokens + options.max_tokens, 512u);
}

// A best source longer than the whole context is cut to the sentences around its best match
// instead of refusing the question (LangChain's ChatOpenAI got a 400 for a Korean question on
// a small context): the answering sentence, in the middle of the passage, reaches the model.
TEST(GenerativeAnswerTest, ASourceLongerThanTheContextIsCutAroundItsBestSentence) {
  Engine e = Load(512);
  GenerativeOptions options;
  options.max_tokens = 16;
  search::Passage long_one;
  long_one.doc_title = "Handbook";
  for (int i = 0; i < 60; ++i) {
    long_one.text += "Section " + std::to_string(i) + " covers the cafeteria and the parking. ";
    if (i == 30) long_one.text += "Sick leave of more than three days needs a doctor's note. ";
  }
  auto a = AnswerGeneratively(e.answer_model(), "Does sick leave need a doctor's note?", {long_one},
                              true, options, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->sources.size(), 1u);
  const std::string& given = a->sources[0].passage.text;
  EXPECT_THAT(given, ::testing::HasSubstr("Sick leave of more than three days"));
  EXPECT_LT(given.size(), long_one.text.size());
  EXPECT_THAT(given, ::testing::StartsWith("…"));
  EXPECT_THAT(given, ::testing::EndsWith("…"));
  EXPECT_LE(a->generation.prompt_tokens + 1, 512u);
  // A question longer than the context is still an error, not a crash.
  const std::string huge(6000, 'q');
  auto too_big = AnswerGeneratively(e.answer_model(), huge, {long_one}, true, options, nullptr);
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), ::testing::HasSubstr("context holds"));
}

}  // namespace
}  // namespace docent::rag
