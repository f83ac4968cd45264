// The model a server answers with: loaded once (the weights are mapped, so start-up takes
// about as long as reading the header), shared by every request through one scheduler.
// Thread-safe: requests go through the scheduler; the rest is immutable after Load.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "docent/answer/generator.h"
#include "docent/engine/chunk_kv_store.h"
#include "docent/engine/scheduler.h"
#include "docent/llm/chat_template.h"
#include "docent/llm/model.h"
#include "docent/llm/tokenizer.h"
#include "docent/rag/context_assembly.h"
#include "docent/rag/generative_answer.h"
#include "docent/util/status.h"

namespace docent::answer {

// Where `fast` mode keeps passage KV under a data directory, and the store's default budget
// in MB (a fixed, documented number, never a share of free disk): serve and warm must agree.
std::filesystem::path KvStoreDir(const std::filesystem::path& data_dir);
inline constexpr long kDefaultKvStoreMb = 2048;

struct ModelServiceOptions {
  uint32_t slots = 4;                 // concurrent generations (KV-cache sequences)
  uint32_t context = 4096;            // per slot; capped at the model's
  int threads = 0;                    // 0: one per core
  uint32_t max_queue = 64;            // waiting requests before 429
  uint32_t max_queue_per_client = 0;  // of those, from one client (ClientOf); 0: max_queue
  // The prefix cache beyond the slots (engine/prefix_cache.h); 0: none.
  uint64_t prefix_cache_bytes = uint64_t{256} << 20;
  // A generation still running this long after it was submitted ends with "timeout".
  double request_timeout_s = 300;
  // How answer prompts are read (rag/context_assembly.h). `fast` keeps passage KV in
  // kv_store_dir, bounded by kv_store_bytes.
  rag::ContextCache context_cache = rag::ContextCache::kExact;
  std::filesystem::path kv_store_dir;
  uint64_t kv_store_bytes = uint64_t{kDefaultKvStoreMb} << 20;
  llm::KvStorage kv_storage = llm::KvStorage::kF16;  // the KV cache's (and store's) type
};

// The passage KV source a model file gets, the same for `serve` and `docent warm` so both
// write and read the same keys: the file's fingerprint (XXH3-128 of its bytes) and the KV
// storage's name.
rag::PassageKvSource KvSourceFor(const llm::GgufFile& file, llm::KvStorage storage,
                                 engine::ChunkKvStore* store);

class ModelService final : public Generator {
 public:
  // The file's errors (GgufFile, tokenizer, architecture), each naming the file.
  static Result<std::unique_ptr<ModelService>> Load(const std::filesystem::path& path,
                                                    const ModelServiceOptions& options);

  const std::string& id() const { return id_; }  // the file name without .gguf
  const std::string& path() const { return path_; }
  double load_seconds() const { return load_seconds_; }
  llm::ChatFamily family() const { return family_; }
  const llm::Tokenizer& tokenizer() const { return *tokenizer_; }
  const llm::Model& model() const { return *model_; }
  engine::Scheduler& scheduler() { return *scheduler_; }
  rag::ContextCache context_cache() const override { return context_cache_; }
  // What the answer cache keys this model's answers by: the file's fingerprint (XXH3-128 of
  // its bytes) and everything about how it reads prompts that could change the words.
  const std::string& cache_key() const override { return generator_; }
  // The passage KV store (`fast` only; else null).
  engine::ChunkKvStore* kv_store() { return kv_source_.store; }

  // What rag::StartGenerativeAnswer needs.
  rag::AnswerModel answer_model();
  // When a request submitted now must be over.
  std::chrono::steady_clock::time_point Deadline() const override;
  // The answer on this model (rag::StartGenerativeAnswer); in `fast` mode with the passage KV
  // of `workspace_id`.
  Result<std::unique_ptr<rag::PendingAnswer>> StartAnswer(
      const std::string& question, const std::vector<search::Passage>& passages, bool relevant,
      const rag::GenerativeOptions& options, int64_t workspace_id, rag::DeltaCallback on_delta,
      std::function<void()> on_generation_end) override;

  // The prompt's token ids for a chat, through the model's template: as one text
  // (llm::EncodeChat), or part by part (llm::EncodeChatParts) when any message's content came
  // in parts (`parts`: per message, empty for a plain string; may be empty).
  std::vector<uint32_t> ChatPrompt(const std::vector<llm::ChatMessage>& messages,
                                   const std::vector<std::vector<std::string>>& parts = {}) const;

 private:
  ModelService() = default;
  std::string id_, path_, generator_;
  double load_seconds_ = 0;
  double request_timeout_s_ = 300;
  llm::ChatFamily family_ = llm::ChatFamily::kChatMl;
  std::unique_ptr<llm::Tokenizer> tokenizer_;
  std::unique_ptr<llm::Model> model_;
  rag::ContextCache context_cache_ = rag::ContextCache::kExact;
  std::unique_ptr<engine::ChunkKvStore> kv_store_;
  rag::PassageKvSource kv_source_;
  std::unique_ptr<engine::Scheduler> scheduler_;  // last: it drives model_
};

}  // namespace docent::answer
