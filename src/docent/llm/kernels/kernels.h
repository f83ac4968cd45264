// The compute kernels of the inference engine: weight-matrix products for decode (one
// activation column) and prompts (many columns), and the F16 vector steps of attention, each
// in a scalar reference and in AVX2, AVX-VNNI and AVX-512 VNNI versions chosen at run time.
//
// Activations are prepared once per column for the weight type they meet
// (PrepareActivations) the way llama.cpp prepares them, so both engines multiply the same
// numbers: for the quantised types they are quantised to 8 bits (Q8_0-style 32-value blocks
// for the _0 types, Q8_1 for the _1 types, one scale per 256 values as Q8_K for the
// K-quants; internal.h), so each 32-value slice of a row is an exact integer sum times
// scales; for F16 and BF16 weights they are rounded to F16 / BF16, for F32 they stay f32.
// The prepared layout is private to this module: size it with ActivationBytes.
//
// Batch invariance (DESIGN.md, "Determinism is a feature"): the float MatMul writes for row r
// and column c is a function of the ISA, the type, row r's bytes and column c's bytes only. It
// does not depend on how many columns are computed together, on c's place among them, on the
// row range or on memory alignment: every output is computed by the same instructions in the
// same order, whatever tile it falls in. The SIMD paths (AVX2, AVX-512) compute the same bits
// as each other, attention included, so a model's logits do not depend on the CPU; only the
// scalar reference sums in another order.
//
// Pure functions; thread-safe. Arguments are checked by the callers (the model checks shapes
// once at load), so these only assert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "docent/llm/ggml_types.h"

namespace docent::llm::kernels {

// The levels, lowest first; each level's CPUs usually run the ones below it (an AVX-512 VNNI
// CPU without AVX-VNNI, such as Zen 4 or Ice Lake, lowers a request for avxvnni to avx2).
enum class Isa : uint8_t { kScalar, kAvx2, kAvxVnni, kAvx512Vnni };

// Whether this CPU (and OS) runs `isa`'s instructions.
bool IsaSupported(Isa isa);
// The best supported ISA, capped by the environment variable DOCENT_KERNELS
// (scalar | avx2 | avxvnni | avx512) when it is set, so tests and benchmarks can pin a path.
Isa BestIsa();
std::string_view IsaName(Isa isa);

// Bytes PrepareActivations writes for n values meeting weights of `weight_type`; n must be a
// multiple of the type's block size.
size_t ActivationBytes(GgmlType weight_type, int64_t n);
// Prepares one activation column x[0..n) for weights of `weight_type`.
void PrepareActivations(Isa isa, GgmlType weight_type, const float* x, int64_t n, uint8_t* out);

// How a weight matrix's bytes are laid out.
//   kRows     GGUF's layout: rows of RowBytes(type, n) bytes one after another.
//   kTiles16  repacked once at load (TileWeights), for Q4_0, Q8_0, Q4_K and Q6_K on the
//             SIMD levels: 16 rows per tile, tiles one after another; within a tile, block b
//             of its 16 rows field by field in GGUF's order (Q4_0: scale, quants; Q4_K: d,
//             dmin, scales, quants; Q6_K: ql, qh, scales, d), each field interleaved lane by
//             lane in units of 2 bytes (an F16) or 4: unit k of row r at 16k + r. A quant
//             group of 16 rows is then one 64-byte load that feeds a multiply-add for 16 rows,
//             with no unpacking or transposing per use; the last tile repeats the last row.
//             Same size as kRows (up to the padding).
enum class WeightLayout : uint8_t { kRows, kTiles16 };
inline constexpr int64_t kTileRows = 16;

// The layout `isa`'s kernels want for `type` (kRows where tiles would not pay).
WeightLayout PreferredLayout(Isa isa, GgmlType type);
// Bytes of a matrix of `rows` rows of n values of `type` in `layout`.
size_t LayoutBytes(GgmlType type, WeightLayout layout, int64_t rows, int64_t n);
// Writes the kRows matrix `w` (rows of row_bytes) in `layout` to `out` (LayoutBytes long).
void TileWeights(GgmlType type, WeightLayout layout, const uint8_t* w, size_t row_bytes,
                 int64_t rows, int64_t n, uint8_t* out);
// Row r of a matrix held in `layout`, written in the kRows layout (row_bytes bytes).
void UntileRow(GgmlType type, WeightLayout layout, const uint8_t* w, size_t row_bytes, int64_t n,
               int64_t r, uint8_t* out);

struct MatMulArgs {
  GgmlType type = GgmlType::kF32;
  const uint8_t* w = nullptr;  // rows of `n` elements, row r at w + r * w_row_bytes (kRows)
  size_t w_row_bytes = 0;      // RowBytes(type, n), whatever the layout
  WeightLayout layout = WeightLayout::kRows;
  int64_t n = 0;
  const uint8_t* x = nullptr;  // prepared columns, column c at x + c * x_stride
  size_t x_stride = 0;
  int64_t n_cols = 0;
  float* y = nullptr;  // y[c * y_stride + r]
  int64_t y_stride = 0;
};

// y[c * y_stride + r] = (row r) . (column c) for r in [row_begin, row_end) and every column.
// Threads split the rows among themselves; see the batch-invariance note above.
void MatMul(Isa isa, const MatMulArgs& args, int64_t row_begin, int64_t row_end);

// out[i] = F16(x[i]), round to nearest even.
void ToF16(Isa isa, const float* x, uint16_t* out, int64_t n);

// out[i] = silu(g[i]) * u[i] = g[i] / (1 + e^-g[i]) * u[i], the SwiGLU gate
// (kernels/activation.cc); each element on its own. out may alias g.
void SiluMul(Isa isa, const float* g, const float* u, float* out, int64_t n);

// x[i] = table[half(x[i])] for -10 < x[i] < 10, 0 at or below -10, x[i] at or above 10, in
// place: a function of half-precision input through a 65,536-entry table indexed by the
// half's bits (the encoder's GELU, as ggml tabulates it). Every path gives the same bits.
void GeluTable(Isa isa, const float* table, float* x, int64_t n);

// x[i] = e^(x[i] - max) / sum_j e^(x[j] - max), in place (kernels/activation.cc). The SIMD
// paths share one exp and one summation order, so they agree bit for bit; the scalar path is
// libm's exp with a sequential double sum.
void Softmax(Isa isa, float* x, int64_t n);

// Scores of one query against F32 keys stored transposed (dim rows of n_keys):
// out[j] = scale * sum_e q[e] * keys_t[e * n_keys + j], terms added in ascending e with one
// rounding each (FMA) on every path, so all paths give the same bits (the encoder's attention).
void KeyScores(Isa isa, const float* q, const float* keys_t, int64_t n_keys, int64_t dim,
               float scale, float* out);

// Attention over an F16 KV cache, one query head at a time (kernels/attention*.cc):
// out[p] = scale * sum_i q[i] * keys[p * stride + i] for p in [0, n_keys), q in F16.
void AttentionScoresF16(Isa isa, const uint16_t* q, const uint16_t* keys, size_t stride,
                        int64_t n_keys, int64_t dim, float scale, float* out);
// out[i] = sum_p F16(w[p]) * values[p * stride + i] for i in [0, dim), positions ascending;
// the weights are rounded to F16 as llama.cpp's F16 cache product does.
void AttentionValuesF16(Isa isa, const float* w, const uint16_t* values, size_t stride,
                        int64_t n_keys, int64_t dim, float* out);

// The same for a block of n_q queries over the same keys (the query heads that share a KV
// head, for a few tokens of one sequence), query r over positions [0, n_keys[r]): the
// positions go in blocks that stay in L1 while every query passes over them, so a long
// context is read from memory once per block of queries instead of once per query. Each
// output is the one-query kernel's bits (the same chain per score, and per value element the
// same FMAs over ascending positions).
void AttentionScoresF16Block(Isa isa, int n_q, const uint16_t* const* q, const int64_t* n_keys,
                             const uint16_t* keys, size_t stride, int64_t dim, float scale,
                             float* const* out);
void AttentionValuesF16Block(Isa isa, int n_q, const float* const* w, const int64_t* n_keys,
                             const uint16_t* values, size_t stride, int64_t dim, float* const* out);

}  // namespace docent::llm::kernels
