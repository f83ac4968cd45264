// Korean particle and ending stripping for the analyzer's eojeol term (private to text/).
//
// Without a dictionary there is no telling a particle from a noun's last syllable, so the
// table says which endings are ambiguous: 가 ends 휴가 as often as it marks a subject. For
// those the analyzer indexes the eojeol both stripped and whole (see analyzer.h).
// Thread safety: the table is built once, on first use, and only read afterwards.
#pragma once

#include <cstddef>
#include <string_view>

namespace docent::text {

struct ParticleMatch {
  size_t stem_len = 0;     // syllables left after stripping; the whole run when none matched
  bool stripped = false;   // a particle/ending was removed
  bool ambiguous = false;  // the removed ending is also a common last syllable of nouns
};

// Strips the longest particle/ending that leaves at least one syllable. `syllables` holds
// only precomposed Hangul syllables.
ParticleMatch StripParticle(std::u32string_view syllables);

// True when the whole run is one particle/ending ("는", "에서", "으로는"): after a Latin word
// or a number it carries no meaning of its own ("API는", "3.5로").
bool IsParticle(std::u32string_view syllables);

}  // namespace docent::text
