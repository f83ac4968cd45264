// Little-endian integers in the bytes of a binary format (HWP 5 records, OLE2 compound
// files): 0 when the bytes end first, since fields grow between format versions and a reader
// of hostile files never assumes a size. Private to the ingest module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace docent::ingest {

inline uint16_t U16At(std::string_view bytes, size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < 2) return 0;
  return static_cast<uint16_t>(static_cast<unsigned char>(bytes[offset]) |
                               static_cast<unsigned char>(bytes[offset + 1]) << 8);
}

inline uint32_t U32At(std::string_view bytes, size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < 4) return 0;
  return static_cast<uint32_t>(U16At(bytes, offset)) |
         static_cast<uint32_t>(U16At(bytes, offset + 2)) << 16;
}

}  // namespace docent::ingest
