// A RAG prompt's keys and values assembled from passages computed once (chunk KV reuse, the
// `fast` context cache): each passage's KV is computed on its own after the prompt's fixed
// start (generative_prompt.h), as the first source "[1] title (location)" followed by its
// text, and kept. At question time every passage's text is placed where the prompt puts it,
// its keys turned by the position difference (KvCache::RotateKeys), and a chosen subset of
// positions is computed again over the assembled cache so quality holds (EPIC, ICML'25: the
// first tokens of each passage; here also every header, and the instructions and question
// after the passages in full).
//
// Exactness, by construction: recomputing every position gives exactly the logits of a cold
// prefill (the kernels are batch-invariant), and so does a single passage, which lands where
// it was computed, in the same context, with nothing moved.
// Not thread-safe: the caller owns the model's sequences it names.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/engine/chunk_kv_store.h"
#include "docent/llm/chat_template.h"
#include "docent/llm/model.h"
#include "docent/llm/tokenizer.h"
#include "docent/rag/generative_prompt.h"
#include "docent/search/passage.h"
#include "docent/util/status.h"

namespace docent::rag {

// What computing one passage on its own leaves, in the cache's storage type: the tokens it
// was computed over (the fixed start, the "[1] title (location)" header, the text) and the KV
// of the start and of the text. The spans point into `owner` (memory of its own, or a mapped
// store entry).
struct PassageKv {
  std::span<const uint32_t> tokens;  // start, header, text, from position 0
  uint32_t start_end = 0;            // the start is tokens [0, start_end)
  uint32_t body_first = 0;           // the text is tokens [body_first, tokens.size())
  std::span<const uint8_t> kv;       // the start's positions, then the text's, as exported
  std::shared_ptr<const void> owner;

  std::span<const uint32_t> start_tokens() const { return tokens.first(start_end); }
  std::span<const uint32_t> body_tokens() const { return tokens.subspan(body_first); }
  std::span<const uint8_t> start_kv(size_t position_bytes) const {
    return kv.first(start_end * position_bytes);
  }
  std::span<const uint8_t> body_kv(size_t position_bytes) const {
    return kv.subspan(start_end * position_bytes);
  }
};

// Computes `passage` as the sole source of a prompt, in sequence `scratch_seq` of `model`
// (which it overwrites), and exports its start and text. Errors: the model's.
Result<PassageKv> ComputePassageKv(llm::Model& model, uint32_t scratch_seq,
                                   const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                                   const search::Passage& passage);

// Which positions are computed again at question time, beyond every header and everything
// after the last passage (always computed).
// The default, 16 (EPIC's choice), from `docent kv-fidelity --sweep` on stories260K (60
// contexts of 3-5 passages, the instruction before the passages): top-1 agreement 0.9927 and
// KL(exact || fast) 2.0e-4 mean for 44% of the prompt computed, against 0.9917 and 2.6e-4 for
// no passage token recomputed (30%) and 0.9943 and 1.0e-4 for 32 (57%). On the 0.5B shape
// it computes ~190 of ~1,420 prompt tokens (bench/context_cache_bench.mjs).
struct RecomputePolicy {
  uint32_t body_tokens = 16;  // the first tokens of each passage's text
  bool everything = false;    // every position: the same logits as a cold prefill
};

struct AssemblyStats {
  uint32_t placed = 0;      // positions whose KV came from a PassageKv
  uint32_t recomputed = 0;  // positions computed here
  // Of `placed`: [0] the start's (from the first source's PassageKv), [n] source n's text's.
  std::vector<uint32_t> placed_by_source;
};

// Fills sequence `seq` of `model` with `prompt` (BuildRagPrompt of passages whose KV are
// `kv`, one per source in prompt order) and writes the last position's logits. A passage
// whose stored text tokens differ from the prompt's is computed in full instead.
// Errors: InvalidArgument when kv does not match the prompt's sources; the model's.
Status AssemblePrompt(llm::Model& model, uint32_t seq, const RagPrompt& prompt,
                      std::span<const PassageKv* const> kv, const RecomputePolicy& policy,
                      std::span<float> last_logits, AssemblyStats* stats = nullptr);

// How a server reads prompts: `exact` reuses only identical prefixes (logits bit-identical to
// reading the whole prompt), `fast` assembles them from stored passage KV (above), `off`
// reads every prompt in full.
enum class ContextCache { kExact, kFast, kOff };
std::string_view ContextCacheName(ContextCache mode);
// InvalidArgument naming the three for anything else.
Result<ContextCache> ParseContextCache(std::string_view name);

// Where `fast` prompts take their passages' KV from: the store, and what its keys cover
// besides the tokens (engine::MakeChunkKvKey).
struct PassageKvSource {
  engine::ChunkKvStore* store = nullptr;
  std::array<uint8_t, 16> model_fingerprint{};
  std::string kv_type;  // the cache's storage: "f16", "q8_0" or "f32"
  // The workspace the passages belong to, by id (ids are never reused, so a workspace removed
  // and made again under its name does not find the old one's entries).
  int64_t workspace_id = 1;  // store::kDefaultWorkspaceId
  RecomputePolicy policy;
};

// The key of `passage`'s KV in `source`'s store: the tokens it is computed over (the fixed
// start, its "[1]" header, its text) and what the source adds.
engine::ChunkKvKey PassageKvKey(const PassageKvSource& source, const llm::Tokenizer& tokenizer,
                                llm::ChatFamily family, const search::Passage& passage);

// Computes `passage`'s KV on `model` (sequence `scratch_seq`) and writes it to the store,
// unless the store holds it already. Returns whether it computed. For `docent warm`.
Result<bool> StorePassageKv(llm::Model& model, uint32_t scratch_seq, const PassageKvSource& source,
                            const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                            const search::Passage& passage);

// The scheduler's assembly hook (engine::GenerationRequest::assemble) for `prompt`, whose
// sources are `sources` in prompt order: each source's KV comes from the store, or on a miss
// is computed on its own on the model (exported from the cache, so in the store's storage
// type, exactly as a hit would read it) and written to the store in the background. The
// keys (and each source's own prompt) are made here, on the caller's thread. The store must
// outlive it.
std::function<Status(llm::Model&, uint32_t, std::span<float>, uint32_t*)> MakePromptAssembler(
    const PassageKvSource& source, const llm::Tokenizer& tokenizer, llm::ChatFamily family,
    RagPrompt prompt, std::vector<search::Passage> sources);

}  // namespace docent::rag
