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
constexpr const char* kQwen3EmbeddingQuery =
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\n"
    "Query:";
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
    // Qwen/Qwen3-Embedding-*: an instruction on queries ("Query:" with no space after, as the
    // model card's get_detailed_instruct writes it), documents bare. Converters write the
    // family as "Qwen3-Embedding" (basename) or "Qwen3 Embedding" (name).
    {"qwen3-embedding", kQwen3EmbeddingQuery, ""},
    {"qwen3 embedding", kQwen3EmbeddingQuery, ""},
    // BAAI/bge-m3 and the rerankers take text as it is.
};

// A decoder reranker's pair through its template, the document cut (at a token boundary, then
// the query) until the prompt fits `limit`.
std::vector<int32_t> FrameTemplatePair(const Tokenizer& tok, const std::string& tmpl,
                                       std::string_view query, std::string_view document,
                                       size_t limit, size_t* full_length) {
  auto framed = EncodeRerankTemplate(tok, tmpl, query, document);
  if (!framed.ok()) return {};
  if (full_length != nullptr) *full_length = framed->size();
  std::string q(query), d(document);
  for (int tries = 0; framed->size() > limit && tries < 8; ++tries) {
    // Merges across the placeholders' edges can shift the count by a token or two: cut a
    // little more, and look again.
    const size_t cut = framed->size() - limit + 2;
    std::string& shortened = d.empty() ? q : d;
    std::vector<int32_t> ids = tok.Encode(shortened, false, false);
    ids.resize(ids.size() > cut ? ids.size() - cut : 0);
    shortened = tok.Decode(ids);
    framed = EncodeRerankTemplate(tok, tmpl, q, d);
    if (!framed.ok()) return {};
  }
  if (framed->size() > limit) framed->resize(limit);
  return std::move(*framed);
}

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

Embedder::Embedder(std::unique_ptr<Encoder> encoder, std::unique_ptr<DecoderPooling> decoder,
                   std::filesystem::path path, int threads)
    : encoder_(std::move(encoder)),
      decoder_(std::move(decoder)),
      path_(std::move(path)),
      pool_(std::max(1, threads)) {}

Result<std::unique_ptr<Embedder>> Embedder::Load(const std::filesystem::path& path, int threads) {
  std::string arch;
  {
    DOCENT_ASSIGN_OR_RETURN(GgufFile file, GgufFile::Open(path));
    DOCENT_ASSIGN_OR_RETURN(std::string_view a, file.GetString("general.architecture"));
    arch = std::string(a);
  }
  std::unique_ptr<Encoder> encoder;
  std::unique_ptr<DecoderPooling> decoder;
  bool reranker = false;
  if (arch == "bert") {
    DOCENT_ASSIGN_OR_RETURN(encoder, Encoder::Load(path));
    const EncoderConfig& c = encoder->config();
    reranker = c.pooling == Pooling::kRank && encoder->has_classifier();
    if (!reranker && (c.pooling == Pooling::kNone || c.pooling == Pooling::kRank)) {
      return FailedPrecondition(
          path.string() + ": bert.pooling_type is " + std::string(PoolingName(c.pooling)) +
          (c.pooling == Pooling::kRank ? " but the file has no classification head"
                                       : ", one vector per token") +
          "; docent embeds with mean, cls or last pooling and reranks with rank pooling");
    }
  } else {
    // The decoder runs on its own pool (the Model's); ours stays at one idle thread.
    DOCENT_ASSIGN_OR_RETURN(decoder, DecoderPooling::Load(path, threads, kDecoderPositions));
    reranker = decoder->pooling() == Pooling::kRank;
    threads = 1;
  }
  // The weights' identity: XXH3-128 of the whole file (a second or so for a gigabyte; the
  // pages are the model's own, mapped once).
  DOCENT_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(path));
  const XXH128_hash_t h = XXH3_128bits(mapped.bytes().data(), mapped.bytes().size());
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  std::unique_ptr<Embedder> e(new Embedder(std::move(encoder), std::move(decoder), path, threads));
  e->fingerprint_ = std::string("xxh3-") + hex;
  e->reranker_ = reranker;
  e->name_ = path.stem().string();
  // The names a converted file carries; basename is what converters write for the family.
  for (const char* key : {"general.name", "general.basename"}) {
    auto value = e->file().GetString(key);
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

const Tokenizer& Embedder::tokenizer() const {
  return decoder_ ? decoder_->tokenizer() : encoder_->tokenizer();
}

const GgufFile& Embedder::file() const {
  return decoder_ ? decoder_->file() : encoder_->file();
}

uint32_t Embedder::context_length() const {
  return decoder_ ? decoder_->max_positions() : encoder_->config().context_length;
}

uint32_t Embedder::dimensions() const {
  return decoder_ ? decoder_->config().n_embd : encoder_->config().n_embd;
}

Result<std::vector<float>> Embedder::PoolIds(std::span<const int32_t> ids) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (reranker_) return PoolLocked(ids, Pooling::kRank);
  return PoolLocked(ids, decoder_ ? Pooling::kLast : encoder_->config().pooling);
}

Result<std::vector<float>> Embedder::PoolLocked(std::span<const int32_t> ids,
                                                Pooling pooling) const {
  if (decoder_) return decoder_->Pool(ids);
  return encoder_->Pool(ids, pooling, &pool_);
}

std::vector<int32_t> Embedder::Frame(std::string_view text, size_t* full_length) const {
  const Tokenizer& tok = tokenizer();
  std::vector<int32_t> ids = tok.Encode(text, /*add_special=*/true, /*parse_special=*/false);
  const size_t limit = context_length();
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
  const Tokenizer& tok = tokenizer();
  if (decoder_ && !decoder_->rerank_template().empty()) {
    return FrameTemplatePair(tok, decoder_->rerank_template(), query, document, context_length(),
                             full_length);
  }
  std::vector<int32_t> q = tok.Encode(query, /*add_special=*/false, /*parse_special=*/false);
  std::vector<int32_t> d = tok.Encode(document, /*add_special=*/false, /*parse_special=*/false);
  // WordPiece: our tokenizer's EOS is BERT's [SEP], which llama.cpp treats as the separator
  // (a WordPiece vocabulary has no EOS there). XLM-RoBERTa: </s> is both EOS and separator.
  const bool wordpiece = tok.kind() == TokenizerKind::kWordPiece;
  const int32_t bos = tok.bos();
  const int32_t eos = wordpiece ? -1 : tok.eos();
  const int32_t sep = tok.eos();
  const size_t fixed = (bos >= 0) + 2 * (eos >= 0) + (sep >= 0);
  const size_t limit = context_length();
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
  const size_t limit = context_length();
  if (overflow == Overflow::kReject && needed > limit) {
    return InvalidArgument("the input is " + std::to_string(needed) +
                           " tokens, more than the model's " + std::to_string(limit));
  }
  return Status::Ok();
}

Result<Embedding> Embedder::Embed(std::string_view text, Overflow overflow) const {
  size_t full_length = 0;
  const std::vector<int32_t> ids = Frame(text, &full_length);
  return EmbedFramed(ids, full_length, overflow);
}

Result<Embedding> Embedder::EmbedFramed(std::span<const int32_t> ids, size_t full_length,
                                        Overflow overflow) const {
  if (reranker_) {
    return FailedPrecondition(name_ +
                              " is a reranker: it scores query-document pairs and "
                              "gives no embeddings");
  }
  Embedding out;
  DOCENT_RETURN_IF_ERROR(CheckLength(full_length, overflow));
  out.truncated = full_length > ids.size();
  out.tokens = static_cast<uint32_t>(ids.size());
  std::lock_guard<std::mutex> lock(mu_);
  DOCENT_ASSIGN_OR_RETURN(out.vector,
                          PoolLocked(ids, decoder_ ? Pooling::kLast : encoder_->config().pooling));
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
  size_t full_length = 0;
  const std::vector<int32_t> ids = FramePair(query, document, &full_length);
  return RerankFramed(ids, full_length, overflow);
}

Result<RerankScore> Embedder::RerankFramed(std::span<const int32_t> ids, size_t full_length,
                                           Overflow overflow) const {
  if (!reranker_) {
    return FailedPrecondition(name_ +
                              " is not a reranker (rank pooling and a classification "
                              "head): it embeds texts but scores no pairs");
  }
  RerankScore out;
  DOCENT_RETURN_IF_ERROR(CheckLength(full_length, overflow));
  out.truncated = full_length > ids.size();
  out.tokens = static_cast<uint32_t>(ids.size());
  std::lock_guard<std::mutex> lock(mu_);
  DOCENT_ASSIGN_OR_RETURN(std::vector<float> logits, PoolLocked(ids, Pooling::kRank));
  if (decoder_) {
    // softmax over (yes, no), element 0, as llama.cpp's graph computes it for these models.
    if (logits.size() < 2) return Corrupt(name_ + ": the rank head has one output, not yes / no");
    out.logit = logits[0] - logits[1];
    out.relevance = Sigmoid(out.logit);
    out.score = out.relevance;
    return out;
  }
  out.logit = logits.at(0);
  out.relevance = Sigmoid(out.logit);
  out.score = out.logit;
  return out;
}

}  // namespace docent::llm
