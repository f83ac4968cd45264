// Framing, pooling and scoring of texts through an encoder (see embedder.h).
#include "docent/llm/embedder.h"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "docent/llm/mapped_file.h"

namespace docent::llm {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The model cards' instructions. A name matches an entry when it contains the entry's key;
// the first match wins, so the more specific keys come first.
struct PrefixRule {
  const char* key;
  const char* query;
  const char* passage;
};
constexpr PrefixRule kPrefixRules[] = {
    // intfloat/multilingual-e5-large-instruct: a task instruction on queries, passages bare.
    {"e5-large-instruct",
     "Instruct: Given a web search query, retrieve relevant passages that answer the query\n"
     "Query: ",
     ""},
    // intfloat/multilingual-e5-*, e5-*-v2: "query: " and "passage: " on every input.
    {"multilingual-e5", "query: ", "passage: "},
    {"e5-", "query: ", "passage: "},
    // BAAI/bge-*-en(-v1.5): the instruction on short queries for passage retrieval only.
    {"bge-small-en", "Represent this sentence for searching relevant passages: ", ""},
    {"bge-base-en", "Represent this sentence for searching relevant passages: ", ""},
    {"bge-large-en", "Represent this sentence for searching relevant passages: ", ""},
    // BAAI/bge-m3 and the rerankers take text as it is.
};

}  // namespace

float Sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

EmbeddingPrefixes PrefixesForModel(std::string_view name) {
  const std::string lower = Lower(name);
  for (const PrefixRule& rule : kPrefixRules) {
    if (lower.find(rule.key) != std::string::npos) return {rule.query, rule.passage};
  }
  return {};
}

Embedder::Embedder(std::unique_ptr<Encoder> encoder, std::filesystem::path path, int threads)
    : encoder_(std::move(encoder)), path_(std::move(path)), pool_(std::max(1, threads)) {}

Result<std::unique_ptr<Embedder>> Embedder::Load(const std::filesystem::path& path, int threads) {
  DOCENT_ASSIGN_OR_RETURN(std::unique_ptr<Encoder> encoder, Encoder::Load(path));
  const EncoderConfig& c = encoder->config();
  const bool reranker = c.pooling == Pooling::kRank && encoder->has_classifier();
  if (!reranker && (c.pooling == Pooling::kNone || c.pooling == Pooling::kRank)) {
    return FailedPrecondition(
        path.string() + ": bert.pooling_type is " + std::string(PoolingName(c.pooling)) +
        (c.pooling == Pooling::kRank ? " but the file has no classification head"
                                     : ", one vector per token") +
        "; docent embeds with mean, cls or last pooling and reranks with rank pooling");
  }
  // The weights' identity: XXH3-128 of the whole file (a second or so for a gigabyte; the
  // pages are the model's own, mapped once).
  DOCENT_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(path));
  const XXH128_hash_t h = XXH3_128bits(mapped.bytes().data(), mapped.bytes().size());
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  std::unique_ptr<Embedder> e(new Embedder(std::move(encoder), path, threads));
  e->fingerprint_ = std::string("xxh3-") + hex;
  e->reranker_ = reranker;
  e->name_ = path.stem().string();
  // The names a converted file carries; basename is what converters write for the family.
  for (const char* key : {"general.name", "general.basename"}) {
    auto value = e->encoder_->file().GetString(key);
    if (!value.ok() || value->empty()) continue;
    if (std::string(key) == "general.name") e->name_ = std::string(*value);
    EmbeddingPrefixes prefixes = PrefixesForModel(*value);
    if (!prefixes.query.empty() || !prefixes.passage.empty()) {
      e->prefixes_ = std::move(prefixes);
      break;
    }
  }
  return e;
}

std::vector<int32_t> Embedder::Frame(std::string_view text, size_t* full_length) const {
  const Tokenizer& tok = encoder_->tokenizer();
  std::vector<int32_t> ids = tok.Encode(text, /*add_special=*/true, /*parse_special=*/false);
  const size_t limit = encoder_->config().context_length;
  if (full_length != nullptr) *full_length = ids.size();
  if (ids.size() > limit) {
    // Keep the closing special (EOS / SEP), which pooling and the model expect last.
    const bool closes = tok.add_eos() && !ids.empty() && ids.back() == tok.eos();
    const int32_t last = ids.back();
    ids.resize(limit);
    if (closes) ids.back() = last;
  }
  return ids;
}

std::vector<int32_t> Embedder::FramePair(std::string_view query, std::string_view document,
                                         size_t* full_length) const {
  const Tokenizer& tok = encoder_->tokenizer();
  std::vector<int32_t> q = tok.Encode(query, /*add_special=*/false, /*parse_special=*/false);
  std::vector<int32_t> d = tok.Encode(document, /*add_special=*/false, /*parse_special=*/false);
  // WordPiece: our tokenizer's EOS is BERT's [SEP], which llama.cpp treats as the separator
  // (a WordPiece vocabulary has no EOS there). XLM-RoBERTa: </s> is both EOS and separator.
  const bool wordpiece = tok.kind() == TokenizerKind::kWordPiece;
  const int32_t bos = tok.bos();
  const int32_t eos = wordpiece ? -1 : tok.eos();
  const int32_t sep = tok.eos();
  const size_t fixed = (bos >= 0) + 2 * (eos >= 0) + (sep >= 0);
  const size_t limit = encoder_->config().context_length;
  if (full_length != nullptr) *full_length = fixed + q.size() + d.size();
  if (fixed + q.size() + d.size() > limit) {
    const size_t room = limit > fixed ? limit - fixed : 0;
    d.resize(std::min(d.size(), room > q.size() ? room - q.size() : 0));
    q.resize(std::min(q.size(), room - d.size()));
  }
  std::vector<int32_t> ids;
  ids.reserve(fixed + q.size() + d.size());
  if (bos >= 0) ids.push_back(bos);
  ids.insert(ids.end(), q.begin(), q.end());
  if (eos >= 0) ids.push_back(eos);
  if (sep >= 0) ids.push_back(sep);
  ids.insert(ids.end(), d.begin(), d.end());
  if (eos >= 0) ids.push_back(eos);
  return ids;
}

Status Embedder::CheckLength(size_t needed, Overflow overflow) const {
  const size_t limit = encoder_->config().context_length;
  if (overflow == Overflow::kReject && needed > limit) {
    return InvalidArgument("the input is " + std::to_string(needed) +
                           " tokens, more than the model's " + std::to_string(limit));
  }
  return Status::Ok();
}

Result<Embedding> Embedder::Embed(std::string_view text, Overflow overflow) const {
  if (reranker_) {
    return FailedPrecondition(name_ +
                              " is a reranker: it scores query-document pairs and "
                              "gives no embeddings");
  }
  Embedding out;
  size_t full_length = 0;
  const std::vector<int32_t> ids = Frame(text, &full_length);
  DOCENT_RETURN_IF_ERROR(CheckLength(full_length, overflow));
  out.truncated = full_length > ids.size();
  out.tokens = static_cast<uint32_t>(ids.size());
  std::lock_guard<std::mutex> lock(mu_);
  DOCENT_ASSIGN_OR_RETURN(out.vector, encoder_->Pool(ids, encoder_->config().pooling, &pool_));
  double norm = 0;
  for (float v : out.vector) norm += static_cast<double>(v) * v;
  if (norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& v : out.vector) v *= inv;
  }
  return out;
}

Result<RerankScore> Embedder::Rerank(std::string_view query, std::string_view document,
                                     Overflow overflow) const {
  if (!reranker_) {
    return FailedPrecondition(name_ +
                              " is not a reranker (rank pooling and a classification "
                              "head): it embeds texts but scores no pairs");
  }
  RerankScore out;
  size_t full_length = 0;
  const std::vector<int32_t> ids = FramePair(query, document, &full_length);
  DOCENT_RETURN_IF_ERROR(CheckLength(full_length, overflow));
  out.truncated = full_length > ids.size();
  out.tokens = static_cast<uint32_t>(ids.size());
  std::lock_guard<std::mutex> lock(mu_);
  DOCENT_ASSIGN_OR_RETURN(std::vector<float> logits, encoder_->Pool(ids, Pooling::kRank, &pool_));
  out.logit = logits.at(0);
  out.relevance = Sigmoid(out.logit);
  return out;
}

}  // namespace docent::llm
