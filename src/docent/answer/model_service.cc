// Loading the served model (see model_service.h).
#include "docent/answer/model_service.h"

#include <algorithm>
#include <chrono>

#include "docent/llm/chat_encode.h"
#include "docent/util/hex.h"

namespace docent::answer {
namespace {

std::string KvTypeName(llm::KvStorage storage) {
  switch (storage) {
    case llm::KvStorage::kF16:
      return "f16";
    case llm::KvStorage::kQ8_0:
      return "q8_0";
    case llm::KvStorage::kF32:
      return "f32";
  }
  return "f16";
}

}  // namespace

std::filesystem::path KvStoreDir(const std::filesystem::path& data_dir) {
  return data_dir / "chunk-kv";
}

rag::PassageKvSource KvSourceFor(const llm::GgufFile& file, llm::KvStorage storage,
                                 engine::ChunkKvStore* store) {
  rag::PassageKvSource source;
  source.store = store;
  source.model_fingerprint = engine::FingerprintBytes(file.bytes());
  source.kv_type = KvTypeName(storage);
  return source;
}

Result<std::unique_ptr<ModelService>> ModelService::Load(const std::filesystem::path& path,
                                                         const ModelServiceOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto file = llm::GgufFile::Open(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<ModelService> s(new ModelService());
  s->path_ = path.string();
  s->id_ = path.stem().string();
  s->request_timeout_s_ = options.request_timeout_s;
  auto tokenizer = llm::Tokenizer::FromGguf(*file);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(s->path_);
  s->tokenizer_ = std::move(tokenizer).value();
  s->family_ = llm::ChatFamilyOf(*file);
  llm::ModelOptions model_options;
  model_options.n_seq = options.slots;
  model_options.max_positions = options.context;
  model_options.threads = options.threads;
  model_options.kv_storage = options.kv_storage;
  // The model's fingerprint keys its stored passage KV and its cached answers: computed
  // here, before the server says it is ready, never on a request.
  const rag::PassageKvSource source = KvSourceFor(*file, model_options.kv_storage, nullptr);
  s->generator_ = "local:" + util::HexBytes(source.model_fingerprint) + ";kv=" + source.kv_type +
                  ";prompt=" + std::string(rag::ContextCacheName(options.context_cache)) +
                  ";context=" + std::to_string(options.context);
  auto model = llm::Model::FromFile(std::move(file).value(), model_options);
  if (!model.ok()) return model.status().WithContext(s->path_);
  s->model_ = std::move(model).value();
  s->context_cache_ = options.context_cache;
  if (options.context_cache == rag::ContextCache::kFast) {
    auto store = engine::ChunkKvStore::Open(options.kv_store_dir, options.kv_store_bytes);
    if (!store.ok()) return store.status();
    s->kv_store_ = std::move(store).value();
    s->kv_source_ = source;
    s->kv_source_.store = s->kv_store_.get();
  }
  engine::SchedulerOptions scheduler_options;
  scheduler_options.max_queue = options.max_queue;
  scheduler_options.max_queue_per_client = options.max_queue_per_client;
  scheduler_options.prefix_cache.max_bytes = options.prefix_cache_bytes;
  s->scheduler_ =
      std::make_unique<engine::Scheduler>(*s->model_, *s->tokenizer_, scheduler_options);
  s->load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

rag::AnswerModel ModelService::answer_model() {
  return {scheduler_.get(),        tokenizer_.get(), family_,
          model_->max_positions(), context_cache_,   &kv_source_};
}

std::chrono::steady_clock::time_point ModelService::Deadline() const {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(request_timeout_s_));
}

Result<std::unique_ptr<rag::PendingAnswer>> ModelService::StartAnswer(
    const std::string& question, const std::vector<search::Passage>& passages, bool relevant,
    const rag::GenerativeOptions& options, int64_t workspace_id, rag::DeltaCallback on_delta,
    std::function<void()> on_generation_end) {
  rag::AnswerModel model = answer_model();
  // Passage KV is keyed by workspace, so no entry is shared across workspaces. The assembler
  // keeps its own copy of the source.
  rag::PassageKvSource source = kv_source_;
  source.workspace_id = workspace_id;
  model.kv_source = &source;
  return rag::StartGenerativeAnswer(model, question, passages, relevant, options,
                                    std::move(on_delta), std::move(on_generation_end));
}

std::vector<uint32_t> ModelService::ChatPrompt(
    const std::vector<llm::ChatMessage>& messages,
    const std::vector<std::vector<std::string>>& parts) const {
  const bool parted =
      std::any_of(parts.begin(), parts.end(), [](const auto& p) { return !p.empty(); });
  if (!parted) return llm::EncodeChat(*tokenizer_, family_, messages);
  std::vector<llm::PartedMessage> parted_messages;
  for (size_t i = 0; i < messages.size(); ++i) {
    llm::PartedMessage m{messages[i].role, {}};
    if (i < parts.size() && !parts[i].empty()) {
      m.parts = parts[i];
    } else {
      m.parts.push_back(messages[i].content);
    }
    parted_messages.push_back(std::move(m));
  }
  return llm::EncodeChatParts(*tokenizer_, family_, parted_messages).tokens;
}

}  // namespace docent::answer
