// Weight layouts (kernels.h, WeightLayout): the load-time repacking of a matrix into 16-row
// tiles and the way back for one row. Plain byte moves, done once per matrix at load, so
// scalar code is enough; the kernels that read the tiles are in simd_body.inc.
#include <cassert>
#include <cstring>

#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

// The tiled types: a 32-value block is an F16 scale followed by `quant` bytes.
struct TiledBlock {
  size_t bytes;  // the whole block in GGUF
  size_t quant;  // its bytes after the scale, taken four at a time
};

TiledBlock TiledBlockOf(GgmlType type) {
  switch (type) {
    case GgmlType::kQ4_0:
      return {18, 16};
    case GgmlType::kQ8_0:
      return {34, 32};
    default:
      assert(false && "no tiled layout for this type");
      return {0, 0};
  }
}

// Where bytes of row `lane` of block b of a tile go: its scale, then group g's 4 bytes.
size_t ScaleOffset(int64_t lane) {
  return 2 * static_cast<size_t>(lane);
}
size_t GroupOffset(int64_t lane, size_t g) {
  return 2 * kTileRows + 4 * kTileRows * g + 4 * static_cast<size_t>(lane);
}

}  // namespace

WeightLayout PreferredLayout(Isa isa, GgmlType type) {
  if (isa == Isa::kScalar) return WeightLayout::kRows;
  return type == GgmlType::kQ4_0 || type == GgmlType::kQ8_0 ? WeightLayout::kTiles16
                                                            : WeightLayout::kRows;
}

size_t LayoutBytes(GgmlType type, WeightLayout layout, int64_t rows, int64_t n) {
  const size_t row_bytes = static_cast<size_t>(n / 32) * TiledBlockOf(type).bytes;
  if (layout == WeightLayout::kRows) return static_cast<size_t>(rows) * row_bytes;
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
  const int64_t nb = n / 32;
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
        std::memcpy(dst + ScaleOffset(lane), src, 2);
        for (size_t g = 0; g < block.quant / 4; ++g) {
          std::memcpy(dst + GroupOffset(lane, g), src + 2 + 4 * g, 4);
        }
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
  const int64_t nb = n / 32;
  const size_t tile_block = kTileRows * block.bytes;
  const uint8_t* tile = w + static_cast<size_t>(r / kTileRows * nb) * tile_block;
  const int64_t lane = r % kTileRows;
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* src = tile + b * tile_block;
    uint8_t* dst = out + b * block.bytes;
    std::memcpy(dst, src + ScaleOffset(lane), 2);
    for (size_t g = 0; g < block.quant / 4; ++g) {
      std::memcpy(dst + 2 + 4 * g, src + GroupOffset(lane, g), 4);
    }
  }
}

}  // namespace docent::llm::kernels
