// Turning an HWP 5 section stream into record bytes: raw-deflate inflation under a cap, and
// the decryption of a distribution document's (배포용 문서) ViewText streams.
// Private to the ingest module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "docent/util/status.h"

namespace docent::ingest {

// Inflates a raw deflate stream (no zlib header, as HWP writes them). Stops at the stream's
// end and ignores what follows (a decrypted ViewText section ends in cipher-block padding).
// kTooLarge once the output would pass `max_bytes`; kCorrupt for bad or truncated data.
Result<std::string> InflateRaw(std::string_view compressed, uint64_t max_bytes);

// Decrypts a ViewText/Section stream: a DISTRIBUTE_DOC_DATA record (tag 28, 256 bytes) whose
// payload, unmasked with a key stream seeded by its first four bytes, holds the AES-128 key;
// then the section's bytes under AES-128-ECB. Returns the plaintext (compressed still when
// the document is). kCorrupt when the stream does not have that shape.
Result<std::string> DecryptDistributionStream(std::string_view stream);

}  // namespace docent::ingest
