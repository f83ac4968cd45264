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

namespace {

// `passage` as the sole source of a prompt (start, header [1], body, tail): the first three
// are what any prompt holding this passage first has before its tail.
Result<RagPrompt> PromptAlone(const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                              const search::Passage& passage) {
  RagPrompt prompt = BuildRagPrompt(tokenizer, family, std::span(&passage, 1), "");
  if (prompt.segments.size() != 4 || prompt.segments[2].kind != PromptSegment::Kind::kPassage) {
    return Internal("unexpected prompt layout for one passage");
  }
  return prompt;
}

// The tokens a passage's KV is computed over, and so keyed by: start, header [1], body.
std::span<const uint32_t> KvTokens(const RagPrompt& alone) {
  return std::span(alone.tokens).first(alone.segments[2].end);
}

engine::ChunkKvKey KeyOf(const PassageKvSource& source, const RagPrompt& alone) {
  return engine::MakeChunkKvKey(source.model_fingerprint, source.kv_type,
                                "ws" + std::to_string(source.workspace_id), KvTokens(alone));
}

Result<PassageKv> ComputeAlone(llm::Model& model, uint32_t scratch_seq, const RagPrompt& alone) {
  const PromptSegment& start = alone.segments[0];
  const PromptSegment& body = alone.segments[2];
  struct Owned {
    std::vector<uint32_t> tokens;
    std::vector<uint8_t> kv;
  };
  auto owned = std::make_shared<Owned>();
  const std::span<const uint32_t> tokens = KvTokens(alone);
  owned->tokens.assign(tokens.begin(), tokens.end());
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

}  // namespace

Result<PassageKv> ComputePassageKv(llm::Model& model, uint32_t scratch_seq,
                                   const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                                   const search::Passage& passage) {
  DOCENT_ASSIGN_OR_RETURN(const RagPrompt alone, PromptAlone(tokenizer, family, passage));
  return ComputeAlone(model, scratch_seq, alone);
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
  // Which PassageKv each position's KV is placed from ([0] the start, n source n); -1: computed.
  std::vector<int> placed_by(n, -1);
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
        std::fill(placed_by.begin(), placed_by.begin() + s.end, 0);
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
      // Only the positions kept need turning: the first ones are computed again below.
      const uint32_t keep_from = std::min(s.end, s.begin + policy.body_tokens);
      if (s.begin != p.body_first && keep_from < s.end) {
        cache.RotateKeys(seq, keep_from, s.end - keep_from, rope,
                         int64_t{s.begin} - int64_t{p.body_first});
      }
      std::fill(placed_by.begin() + keep_from, placed_by.begin() + s.end, s.source);
    }
  }
  placed_by[n - 1] = -1;  // the last position's logits are the answer's first token
  std::vector<llm::BatchEntry> batch;
  std::vector<uint32_t> placed_by_source(kv.size() + 1, 0);
  for (uint32_t pos = 0; pos < n; ++pos) {
    if (placed_by[pos] >= 0) {
      ++placed_by_source[static_cast<size_t>(placed_by[pos])];
    } else {
      batch.push_back({seq, prompt.tokens[pos], pos, pos + 1 == n});
    }
  }
  if (stats) {
    stats->placed = n - static_cast<uint32_t>(batch.size());
    stats->recomputed = static_cast<uint32_t>(batch.size());
    stats->placed_by_source = std::move(placed_by_source);
  }
  return model.Fill(batch, last_logits);
}

std::string_view ContextCacheName(ContextCache mode) {
  switch (mode) {
    case ContextCache::kExact:
      return "exact";
    case ContextCache::kFast:
      return "fast";
    case ContextCache::kOff:
      return "off";
  }
  return "exact";
}

Result<ContextCache> ParseContextCache(std::string_view name) {
  for (ContextCache m : {ContextCache::kExact, ContextCache::kFast, ContextCache::kOff}) {
    if (name == ContextCacheName(m)) return m;
  }
  return InvalidArgument("--context-cache is exact, fast or off, not '" + std::string(name) + "'");
}

engine::ChunkKvKey PassageKvKey(const PassageKvSource& source, const llm::Tokenizer& tokenizer,
                                llm::ChatFamily family, const search::Passage& passage) {
  // BuildRagPrompt of one passage always has the four segments PromptAlone checks.
  return KeyOf(source, BuildRagPrompt(tokenizer, family, std::span(&passage, 1), ""));
}

Result<bool> StorePassageKv(llm::Model& model, uint32_t scratch_seq, const PassageKvSource& source,
                            const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                            const search::Passage& passage) {
  DOCENT_ASSIGN_OR_RETURN(const RagPrompt alone, PromptAlone(tokenizer, family, passage));
  const engine::ChunkKvKey key = KeyOf(source, alone);
  if (source.store->Contains(key)) return false;
  DOCENT_ASSIGN_OR_RETURN(PassageKv kv, ComputeAlone(model, scratch_seq, alone));
  DOCENT_RETURN_IF_ERROR(source.store->Put(key, kv.tokens, kv.body_first, kv.kv));
  return true;
}

std::function<Status(llm::Model&, uint32_t, std::span<float>, uint32_t*)> MakePromptAssembler(
    const PassageKvSource& source, const llm::Tokenizer& tokenizer, llm::ChatFamily family,
    RagPrompt prompt, std::vector<search::Passage> sources) {
  // Each source's own prompt, built once here for its key and, on a miss, its computation.
  std::vector<RagPrompt> alone;
  std::vector<engine::ChunkKvKey> keys;
  for (const search::Passage& p : sources) {
    alone.push_back(BuildRagPrompt(tokenizer, family, std::span(&p, 1), ""));
    keys.push_back(KeyOf(source, alone.back()));
  }
  return [source, prompt = std::move(prompt), alone = std::move(alone), keys = std::move(keys)](
             llm::Model& model, uint32_t seq, std::span<float> logits, uint32_t* stored) -> Status {
    std::vector<PassageKv> kv(alone.size());
    std::vector<bool> hit(alone.size(), false);
    for (size_t i = 0; i < alone.size(); ++i) {
      if (auto entry = source.store->Get(keys[i])) {
        hit[i] = true;
        // The start's length is the prompt's (every passage shares it).
        kv[i].tokens = entry->tokens();
        kv[i].start_end = prompt.segments[0].end;
        kv[i].body_first = entry->first_pos();
        kv[i].kv = entry->kv();
        kv[i].owner = entry;
        continue;
      }
      DOCENT_ASSIGN_OR_RETURN(kv[i], ComputeAlone(model, seq, alone[i]));
      source.store->PutInBackground(keys[i], kv[i].tokens, kv[i].body_first, kv[i].kv);
    }
    std::vector<const PassageKv*> pointers;
    for (const PassageKv& k : kv) pointers.push_back(&k);
    AssemblyStats stats;
    DOCENT_RETURN_IF_ERROR(
        AssemblePrompt(model, seq, prompt, pointers, source.policy, logits, &stats));
    // Stored: what came from store entries (the start comes with the first source's).
    *stored = 0;
    for (size_t i = 0; i < alone.size(); ++i) {
      if (!hit[i]) continue;
      *stored += stats.placed_by_source[i + 1] + (i == 0 ? stats.placed_by_source[0] : 0);
    }
    return Status::Ok();
  };
}

}  // namespace docent::rag
