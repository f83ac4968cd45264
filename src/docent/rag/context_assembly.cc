// Assembling a prompt's KV from passages computed once (see context_assembly.h).
#include "docent/rag/context_assembly.h"

#include <algorithm>
#include <string>

#include "docent/llm/forward_ops.h"

namespace docent::rag {
namespace {

std::vector<uint8_t> Export(const llm::Model& model, uint32_t seq, uint32_t first, uint32_t count) {
  std::vector<uint8_t> out(size_t{count} * model.cache().PositionBytes());
  if (count > 0) model.cache().ExportPositions(seq, first, count, out.data());
  return out;
}

// Whether a PassageKv's KV is as long as its tokens say for this cache (a store entry written
// for another model or storage type is not).
bool Usable(const PassageKv& p, const llm::KvCache& cache) {
  return p.start_end <= p.body_first && p.body_first <= p.tokens.size() &&
         p.kv.size() == (p.start_end + p.tokens.size() - p.body_first) * cache.PositionBytes();
}

}  // namespace

Result<PassageKv> ComputePassageKv(llm::Model& model, uint32_t scratch_seq,
                                   const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                                   const search::Passage& passage) {
  const RagPrompt prompt = BuildRagPrompt(tokenizer, family, std::span(&passage, 1), "");
  // start, header [1], body, tail: the first three are what any prompt holding this passage
  // first has before its tail.
  if (prompt.segments.size() != 4 || prompt.segments[2].kind != PromptSegment::Kind::kPassage) {
    return Internal("unexpected prompt layout for one passage");
  }
  const PromptSegment& start = prompt.segments[0];
  const PromptSegment& body = prompt.segments[2];
  struct Owned {
    std::vector<uint32_t> tokens;
    std::vector<uint8_t> kv;
  };
  auto owned = std::make_shared<Owned>();
  owned->tokens.assign(prompt.tokens.begin(), prompt.tokens.begin() + body.end);
  std::vector<float> logits(model.config().vocab_size);
  DOCENT_RETURN_IF_ERROR(model.Prefill(scratch_seq, owned->tokens, 0, logits));
  owned->kv = Export(model, scratch_seq, 0, start.end);
  const std::vector<uint8_t> body_kv =
      Export(model, scratch_seq, body.begin, body.end - body.begin);
  owned->kv.insert(owned->kv.end(), body_kv.begin(), body_kv.end());
  PassageKv kv;
  kv.tokens = owned->tokens;
  kv.start_end = start.end;
  kv.body_first = body.begin;
  kv.kv = owned->kv;
  kv.owner = std::move(owned);
  return kv;
}

Status AssemblePrompt(llm::Model& model, uint32_t seq, const RagPrompt& prompt,
                      std::span<const PassageKv* const> kv, const RecomputePolicy& policy,
                      std::span<float> last_logits, AssemblyStats* stats) {
  const uint32_t n = static_cast<uint32_t>(prompt.tokens.size());
  if (n == 0 || prompt.segments.empty()) return InvalidArgument("an empty prompt");
  int sources = 0;
  for (const PromptSegment& s : prompt.segments) sources = std::max(sources, s.source);
  if (kv.size() != static_cast<size_t>(sources)) {
    return InvalidArgument(std::to_string(kv.size()) + " passage KVs for a prompt of " +
                           std::to_string(sources) + " sources");
  }
  llm::KvCache& cache = model.mutable_cache();
  cache.Clear(seq);
  DOCENT_RETURN_IF_ERROR(cache.Extend(seq, n));
  std::vector<bool> placed(n, false);
  const llm::ModelConfig& c = model.config();
  const llm::RopeParams rope{c.rope_type, c.n_rot, c.rope_freq_base, c.rope_freq_scale,
                             model.weights().rope_freq_factors};
  if (!policy.everything) {
    for (const PromptSegment& s : prompt.segments) {
      if (s.kind == PromptSegment::Kind::kStart && s.begin == 0 && !kv.empty()) {
        // Every passage was computed after the same start; any one's will do.
        const PassageKv& first = *kv[0];
        const std::span<const uint32_t> want(prompt.tokens.data(), s.end);
        const std::span<const uint32_t> have = first.start_tokens();
        if (!std::equal(want.begin(), want.end(), have.begin(), have.end()) ||
            !Usable(first, cache)) {
          continue;
        }
        DOCENT_RETURN_IF_ERROR(
            cache.PlacePositions(seq, 0, s.end, first.start_kv(cache.PositionBytes()).data()));
        std::fill(placed.begin(), placed.begin() + s.end, true);
      }
      if (s.kind != PromptSegment::Kind::kPassage) continue;
      const PassageKv& p = *kv[static_cast<size_t>(s.source - 1)];
      const std::span<const uint32_t> want(prompt.tokens.data() + s.begin, s.end - s.begin);
      const std::span<const uint32_t> have = p.body_tokens();
      if (!std::equal(want.begin(), want.end(), have.begin(), have.end()) || !Usable(p, cache)) {
        continue;  // not the passage it claims to be (or not this model's): computed below
      }
      DOCENT_RETURN_IF_ERROR(cache.PlacePositions(seq, s.begin, s.end - s.begin,
                                                  p.body_kv(cache.PositionBytes()).data()));
      if (s.begin != p.body_first) {
        cache.RotateKeys(seq, s.begin, s.end - s.begin, rope,
                         int64_t{s.begin} - int64_t{p.body_first});
      }
      const uint32_t keep_from = std::min(s.end, s.begin + policy.body_tokens);
      std::fill(placed.begin() + keep_from, placed.begin() + s.end, true);
    }
  }
  placed[n - 1] = false;  // the last position's logits are the answer's first token
  std::vector<llm::BatchEntry> batch;
  uint32_t placed_count = 0;
  for (uint32_t pos = 0; pos < n; ++pos) {
    if (placed[pos]) {
      ++placed_count;
      continue;
    }
    batch.push_back({seq, prompt.tokens[pos], pos, pos + 1 == n});
  }
  if (stats) {
    stats->placed = placed_count;
    stats->recomputed = static_cast<uint32_t>(batch.size());
  }
  return model.Fill(batch, last_logits);
}

}  // namespace docent::rag
