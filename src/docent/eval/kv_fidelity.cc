// Measuring assembled prompts against cold prefills (see kv_fidelity.h).
#include "docent/eval/kv_fidelity.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "docent/llm/sampler.h"
#include "docent/llm/sampling.h"
#include "docent/rag/generative_prompt.h"

namespace docent::eval {
namespace {

constexpr const char* kOpeners[] = {"Once upon a time", "One day",        "Lily wanted",
                                    "Tom and his mom",  "The little dog", "In the park",
                                    "The big bear",     "Sue had a"};

// log-softmax of `logits` in double.
std::vector<double> LogProbs(std::span<const float> logits) {
  double max = logits[0];
  for (float v : logits) max = std::max<double>(max, v);
  double sum = 0;
  for (float v : logits) sum += std::exp(double{v} - max);
  const double log_z = max + std::log(sum);
  std::vector<double> out(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) out[i] = double{logits[i]} - log_z;
  return out;
}

double Kl(std::span<const float> exact, std::span<const float> fast) {
  const std::vector<double> lp = LogProbs(exact), lq = LogProbs(fast);
  double kl = 0;
  for (size_t i = 0; i < lp.size(); ++i) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
  return std::max(0.0, kl);
}

// A story of 24-56 tokens the model writes from `opener`, seeded.
Result<std::string> WriteStory(llm::Model& model, const llm::Tokenizer& tokenizer,
                               const std::string& opener, uint64_t seed, uint32_t length) {
  const std::vector<int32_t> ids = tokenizer.Encode(opener, /*add_special=*/true);
  const std::vector<uint32_t> prompt(ids.begin(), ids.end());
  llm::SamplingParams params;
  params.temperature = 0.8f;
  params.top_k = 40;
  params.seed = seed;
  DOCENT_ASSIGN_OR_RETURN(llm::Sampler sampler, llm::Sampler::Create(params));
  std::vector<float> logits(model.config().vocab_size);
  DOCENT_RETURN_IF_ERROR(model.Prefill(2, prompt, 0, logits));
  std::vector<int32_t> story(ids.begin() + (tokenizer.add_bos() ? 1 : 0), ids.end());
  for (uint32_t i = 0; i < length; ++i) {
    const uint32_t next = sampler.Sample(logits);
    if (tokenizer.IsEndOfGeneration(static_cast<int32_t>(next))) break;
    sampler.Accept(next);
    story.push_back(static_cast<int32_t>(next));
    DOCENT_RETURN_IF_ERROR(
        model.ForwardInto(2, next, static_cast<uint32_t>(prompt.size()) + i, logits));
  }
  return tokenizer.Decode(story);
}

struct Accumulator {
  std::vector<double> kls;
  size_t agree = 0;
  double first_divergence = 0;
  double recompute_fraction = 0;
  int contexts = 0;
};

}  // namespace

Result<std::vector<KvFidelity>> MeasureKvFidelity(llm::Model& model,
                                                  const llm::Tokenizer& tokenizer,
                                                  llm::ChatFamily family,
                                                  const KvFidelityOptions& options,
                                                  const std::function<void(int, int)>& progress) {
  if (model.n_seq() < 3 || model.max_positions() < 256) {
    return InvalidArgument("kv-fidelity needs a model with 3 sequences of 256 positions");
  }
  const uint32_t vocab = model.config().vocab_size;
  const uint32_t room = model.max_positions() - options.continuation;
  std::mt19937_64 rng(options.seed);

  // The pool: stories the model writes, each a passage of its own document.
  std::vector<search::Passage> pool;
  std::vector<rag::PassageKv> pool_kv;
  for (int i = 0; i < options.pool; ++i) {
    const std::string opener = kOpeners[rng() % std::size(kOpeners)];
    DOCENT_ASSIGN_OR_RETURN(std::string text, WriteStory(model, tokenizer, opener, rng(),
                                                         24 + static_cast<uint32_t>(rng() % 33)));
    search::Passage p;
    p.doc_id = i + 1;
    p.chunk_id = i + 1;
    p.doc_title = "Story " + std::to_string(i + 1);
    p.text = std::move(text);
    DOCENT_ASSIGN_OR_RETURN(rag::PassageKv kv,
                            rag::ComputePassageKv(model, 2, tokenizer, family, p));
    pool.push_back(std::move(p));
    pool_kv.push_back(std::move(kv));
  }

  std::vector<Accumulator> acc(options.settings.size());
  std::vector<float> exact_logits(size_t{options.continuation} * vocab);
  std::vector<float> fast(vocab);
  for (int c = 0; c < options.contexts; ++c) {
    // 3-5 distinct stories, fewer if they would not leave room for the continuation.
    std::vector<size_t> picked;
    const size_t want = 3 + rng() % 3;
    while (picked.size() < want) {
      const size_t i = rng() % pool.size();
      if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
    }
    const std::string question = kOpeners[rng() % std::size(kOpeners)];
    rag::RagPrompt prompt;
    std::vector<search::Passage> sources;
    for (;;) {
      sources.clear();
      for (size_t i : picked) sources.push_back(pool[i]);
      sources = rag::CanonicalOrder(std::move(sources));
      prompt = rag::BuildRagPrompt(tokenizer, family, sources, question);
      if (prompt.tokens.size() <= room || picked.size() == 1) break;
      picked.pop_back();
    }
    if (prompt.tokens.size() > room) {
      return InvalidArgument("a one-passage prompt of " + std::to_string(prompt.tokens.size()) +
                             " tokens leaves no room in a context of " +
                             std::to_string(model.max_positions()));
    }
    std::vector<const rag::PassageKv*> kv;
    for (const search::Passage& s : sources) kv.push_back(&pool_kv[s.chunk_id - 1]);

    // Exact: the prompt prefilled, then greedy.
    const uint32_t n = static_cast<uint32_t>(prompt.tokens.size());
    std::vector<uint32_t> continuation;
    DOCENT_RETURN_IF_ERROR(
        model.Prefill(1, prompt.tokens, 0, std::span(exact_logits.data(), vocab)));
    for (uint32_t j = 0; j < options.continuation; ++j) {
      const std::span<float> step(exact_logits.data() + size_t{j} * vocab, vocab);
      continuation.push_back(llm::ArgMax(step));
      if (j + 1 == options.continuation) break;
      DOCENT_RETURN_IF_ERROR(
          model.ForwardInto(1, continuation.back(), n + j,
                            std::span(exact_logits.data() + size_t{j + 1} * vocab, vocab)));
    }

    // Each setting: assembled, then teacher-forced on the exact continuation.
    for (size_t s = 0; s < options.settings.size(); ++s) {
      Accumulator& a = acc[s];
      rag::AssemblyStats stats;
      DOCENT_RETURN_IF_ERROR(
          rag::AssemblePrompt(model, 0, prompt, kv, options.settings[s], fast, &stats));
      uint32_t first_divergence = options.continuation;
      for (uint32_t j = 0; j < options.continuation; ++j) {
        if (j > 0)
          DOCENT_RETURN_IF_ERROR(model.ForwardInto(0, continuation[j - 1], n + j - 1, fast));
        const std::span<const float> exact(exact_logits.data() + size_t{j} * vocab, vocab);
        a.kls.push_back(Kl(exact, fast));
        if (llm::ArgMax(fast) == continuation[j]) {
          ++a.agree;
        } else {
          first_divergence = std::min(first_divergence, j);
        }
      }
      a.first_divergence += first_divergence;
      a.recompute_fraction += double(stats.recomputed) / n;
      ++a.contexts;
    }
    if (progress) progress(c + 1, options.contexts);
  }

  std::vector<KvFidelity> out;
  for (size_t s = 0; s < options.settings.size(); ++s) {
    Accumulator& a = acc[s];
    KvFidelity f;
    f.policy = options.settings[s];
    f.contexts = a.contexts;
    if (a.contexts > 0) {
      std::vector<double> sorted = a.kls;
      std::sort(sorted.begin(), sorted.end());
      double sum = 0;
      for (double k : sorted) sum += k;
      f.kl_mean = sum / static_cast<double>(sorted.size());
      f.kl_p95 = sorted[std::min(sorted.size() - 1, sorted.size() * 95 / 100)];
      f.top1_agreement = double(a.agree) / static_cast<double>(a.kls.size());
      f.first_divergence_mean = a.first_divergence / a.contexts;
      f.recompute_fraction = a.recompute_fraction / a.contexts;
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace docent::eval
