// The distribution-document scheme, as Hancom's format specification (5.0, "배포용 문서
// 데이터") describes it: the 256-byte record starts with a 32-bit seed; a key stream is made by
// the C runtime's linear congruential rand() (state = state * 214013 + 2531011, output bits
// 16..30) as runs of one byte value (the first draw's low byte) repeated 1 to 16 times (the
// second draw's low four bits, plus one). XORing bytes 4..255 with it reveals, at offset
// 4 + (seed & 15), the 16-byte AES key. AES is OpenSSL's.
#include "docent/ingest/hwp_streams.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <memory>

#include "docent/ingest/little_endian.h"

namespace docent::ingest {
namespace {

constexpr uint32_t kDistributeDocDataTag = 28;
constexpr size_t kDistributeDataBytes = 256;

class MsvcRand {
 public:
  explicit MsvcRand(uint32_t seed) : state_(seed) {}
  uint32_t Next() {
    state_ = state_ * 214013u + 2531011u;
    return (state_ >> 16) & 0x7FFF;
  }

 private:
  uint32_t state_;
};

}  // namespace

Result<std::string> InflateRaw(std::string_view compressed, uint64_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Internal("zlib inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  std::string out;
  char buf[64 * 1024];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(compressed.size(), UINT32_MAX));
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = sizeof buf - z.avail_out;
    if (out.size() + produced > max_bytes) {
      return TooLarge("a compressed stream inflates past the limit of " +
                      std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, produced);
    if (rc == Z_STREAM_END) return out;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      return Corrupt("a compressed stream is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt(std::string("a compressed stream is corrupt (") +
                     (z.msg != nullptr ? z.msg : "zlib error") + ")");
    }
  }
}

Result<std::string> DecryptDistributionStream(std::string_view stream) {
  if (stream.size() < 4 + kDistributeDataBytes) {
    return Corrupt("distribution document section is too short for its key record");
  }
  const uint32_t header = U32At(stream, 0);
  if ((header & 0x3FF) != kDistributeDocDataTag || (header >> 20) != kDistributeDataBytes) {
    return Corrupt("distribution document section does not start with its key record");
  }
  const std::string_view payload = stream.substr(4, kDistributeDataBytes);
  const uint32_t seed = U32At(payload, 0);
  unsigned char mask[kDistributeDataBytes];
  MsvcRand rand(seed);
  for (size_t i = 0; i < kDistributeDataBytes;) {
    const auto fill = static_cast<unsigned char>(rand.Next() & 0xFF);
    const size_t run = (rand.Next() & 0x0F) + 1;
    for (size_t k = 0; k < run && i < kDistributeDataBytes; ++k) mask[i++] = fill;
  }
  // The key stream covers the seed's bytes too, but they are kept as written.
  const size_t key_at = 4 + (seed & 0x0F);
  unsigned char key[16];
  for (size_t k = 0; k < 16; ++k) {
    key[k] = static_cast<unsigned char>(payload[key_at + k]) ^ mask[key_at + k];
  }
  std::string_view cipher = stream.substr(4 + kDistributeDataBytes);
  cipher = cipher.substr(0, cipher.size() - cipher.size() % 16);
  std::string plain(cipher.size(), '\0');
  std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> ctx(EVP_CIPHER_CTX_new(),
                                                                 EVP_CIPHER_CTX_free);
  if (!ctx) return ResourceExhausted("cannot allocate an AES context");
  int n = 0, tail = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n,
                        reinterpret_cast<const unsigned char*>(cipher.data()),
                        static_cast<int>(cipher.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n, &tail) !=
          1) {
    return Corrupt("distribution document section does not decrypt");
  }
  plain.resize(static_cast<size_t>(n + tail));
  return plain;
}

}  // namespace docent::ingest
