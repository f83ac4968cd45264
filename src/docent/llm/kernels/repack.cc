// Weight layouts (kernels.h, WeightLayout): the load-time repacking of a matrix into 16-row
// tiles and the way back for one row. Plain byte moves, done once per matrix at load, so
// scalar code is enough; the kernels that read the tiles are in simd_body.inc.
#include <cassert>
#include <cstring>

#include "docent/llm/ggml_types.h"
#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

// A tiled type's block (32 values for the legacy types, a 256-value super-block for the
// K-quants) as the fields GGUF stores one after another. In a tile each field becomes a region
// of 16x its size at 16x its offset, holding the field's units (2 bytes for an F16 scale, 4
// for the rest) lane by lane: unit k of row `lane` at region + (16 k + lane) * unit.
struct Field {
  size_t offset;
  size_t bytes;
  size_t unit;
};

struct TiledBlock {
  int64_t values;  // per block
  size_t bytes;    // per block and row in GGUF
  Field fields[4];
  int n_fields;
};

TiledBlock TiledBlockOf(GgmlType type) {
  switch (type) {
    case GgmlType::kQ4_0:  // d, qs
      return {32, 18, {{0, 2, 2}, {2, 16, 4}}, 2};
    case GgmlType::kQ8_0:  // d, qs
      return {32, 34, {{0, 2, 2}, {2, 32, 4}}, 2};
    case GgmlType::kQ4_K:  // d, dmin, the 12 bytes of scales and mins, qs
      return {256, 144, {{0, 2, 2}, {2, 2, 2}, {4, 12, 4}, {16, 128, 4}}, 4};
    case GgmlType::kQ6_K:  // ql, qh, scales, d
      return {256, 210, {{0, 128, 4}, {128, 64, 4}, {192, 16, 4}, {208, 2, 2}}, 4};
    default:
      assert(false && "no tiled layout for this type");
      return {32, 0, {}, 0};
  }
}

// Calls fn(row offset, tile offset, unit) for each unit of a block of row `lane`: the unit's
// place in the row's block and in the tile's block.
template <typename Fn>
void ForEachUnit(const TiledBlock& block, int64_t lane, Fn&& fn) {
  for (int f = 0; f < block.n_fields; ++f) {
    const Field& field = block.fields[f];
    for (size_t k = 0; k < field.bytes / field.unit; ++k) {
      fn(field.offset + k * field.unit,
         kTileRows * field.offset + (kTileRows * k + static_cast<size_t>(lane)) * field.unit,
         field.unit);
    }
  }
}

}  // namespace

WeightLayout PreferredLayout(Isa isa, GgmlType type) {
  if (isa == Isa::kScalar) return WeightLayout::kRows;
  switch (type) {
    case GgmlType::kQ4_0:
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_K:
    case GgmlType::kQ6_K:
      return WeightLayout::kTiles16;
    default:
      return WeightLayout::kRows;
  }
}

size_t LayoutBytes(GgmlType type, WeightLayout layout, int64_t rows, int64_t n) {
  if (layout == WeightLayout::kRows) return static_cast<size_t>(rows) * *RowBytes(type, n);
  const TiledBlock block = TiledBlockOf(type);
  const size_t row_bytes = static_cast<size_t>(n / block.values) * block.bytes;
  const int64_t tiles = (rows + kTileRows - 1) / kTileRows;
  return static_cast<size_t>(tiles * kTileRows) * row_bytes;
}

void TileWeights(GgmlType type, WeightLayout layout, const uint8_t* w, size_t row_bytes,
                 int64_t rows, int64_t n, uint8_t* out) {
  if (layout == WeightLayout::kRows) {
    std::memcpy(out, w, static_cast<size_t>(rows) * row_bytes);
    return;
  }
  const TiledBlock block = TiledBlockOf(type);
  const int64_t nb = n / block.values;
  const size_t tile_block = kTileRows * block.bytes;
  for (int64_t r0 = 0; r0 < rows; r0 += kTileRows) {
    uint8_t* tile = out + static_cast<size_t>(r0 / kTileRows * nb) * tile_block;
    for (int64_t lane = 0; lane < kTileRows; ++lane) {
      // Past the last row the tile repeats it; those lanes are computed and never stored.
      const int64_t r = r0 + lane < rows ? r0 + lane : rows - 1;
      const uint8_t* row = w + static_cast<size_t>(r) * row_bytes;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* src = row + b * block.bytes;
        uint8_t* dst = tile + b * tile_block;
        ForEachUnit(block, lane, [&](size_t row_at, size_t tile_at, size_t unit) {
          std::memcpy(dst + tile_at, src + row_at, unit);
        });
      }
    }
  }
}

void UntileRow(GgmlType type, WeightLayout layout, const uint8_t* w, size_t row_bytes, int64_t n,
               int64_t r, uint8_t* out) {
  if (layout == WeightLayout::kRows) {
    std::memcpy(out, w + static_cast<size_t>(r) * row_bytes, row_bytes);
    return;
  }
  const TiledBlock block = TiledBlockOf(type);
  const int64_t nb = n / block.values;
  const size_t tile_block = kTileRows * block.bytes;
  const uint8_t* tile = w + static_cast<size_t>(r / kTileRows * nb) * tile_block;
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* src = tile + b * tile_block;
    uint8_t* dst = out + b * block.bytes;
    ForEachUnit(block, r % kTileRows, [&](size_t row_at, size_t tile_at, size_t unit) {
      std::memcpy(dst + row_at, src + tile_at, unit);
    });
  }
}

}  // namespace docent::llm::kernels
