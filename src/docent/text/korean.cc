// The particle/ending table and longest-suffix matching over it. Written by hand: no
// Debian-packaged library strips Korean particles, and a morphological analyser with its
// dictionary would be a large dependency for what bigrams already mostly cover.
#include "docent/text/korean.h"

#include <algorithm>
#include <string>
#include <vector>

#include "docent/util/utf8.h"

namespace docent::text {
namespace {

// Endings are listed space-separated. Ambiguous ones are common last syllables of nouns
// (휴가, 회의, 제도, 경로, 결과, 권한, 역할, 필요, 개인, 사랑, 계란, 세미나).
constexpr std::string_view kEndings[] = {
    // Case and auxiliary particles.
    "은 는 을 를 에 께 들 된 될 에서 에게 에게서 께서 한테 한테서 으로 으로서 으로써 로서 로써",
    "까지 부터 보다 처럼 만큼 마다 조차 마저 밖에 이랑 이라도 라도 이든지 든지 이든",
    "이라고 라고 이라는 라는 이란",
    // Particles combined.
    "에서는 에서도 에서의 에서만 에서부터 에는 에도 에만 에의 에게는 에게도 에게만",
    "으로는 로는 으로도 로도 으로만 로만 으로의 로의 와는 과는 와도 과도 와의 과의",
    "까지는 까지도 까지의 까지만 부터는 부터도 보다는 보다도 만은 만이 만을 만의 만으로",
    "만큼은 처럼은",
    // Plural 들 with a particle.
    "들은 들이 들을 들의 들에 들에게 들도 들과 들로 들만 들에서 들까지 들처럼 들보다",
    // The copula.
    "이다 입니다 이며 이고 이에요 예요 이었다 였다 이었습니다 였습니다 인데 이라서",
    // 하다 / 되다 endings on a noun (신청하는, 적용됩니다).
    "하는 하고 하며 하여 해서 하면 하지 하기 해야 합니다 합니까 했다 했습니다 하였다",
    "하였습니다 한다 하나요 할까요 해요 하세요 하십시오",
    "되는 되어 되며 되고 되면 된다 됐다 되었다 되었습니다 됩니다 됩니까",
    // Question endings.
    "입니까 인가요 인가 일까요 은요 는요",
};
constexpr std::string_view kAmbiguousEndings[] = {
    "이 가 의 도 나 로 과 와 만 한 할 요 야 인 랑 란 이나 이야 인지",
};

struct Entry {
  std::u32string text;
  bool ambiguous;
};

// Entries sorted by last syllable, then longest first, so one binary search finds the
// candidates for a run and the first that fits is the longest.
class EndingTable {
 public:
  EndingTable() {
    for (std::string_view line : kEndings) Add(line, false);
    for (std::string_view line : kAmbiguousEndings) Add(line, true);
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      if (a.text.back() != b.text.back()) return a.text.back() < b.text.back();
      if (a.text.size() != b.text.size()) return a.text.size() > b.text.size();
      return a.text < b.text;
    });
  }

  // The candidates whose last syllable is `last`, longest first.
  std::pair<const Entry*, const Entry*> WithLast(char32_t last) const {
    auto lo = std::lower_bound(entries_.begin(), entries_.end(), last,
                               [](const Entry& e, char32_t c) { return e.text.back() < c; });
    auto hi = lo;
    while (hi != entries_.end() && hi->text.back() == last) ++hi;
    return {entries_.data() + (lo - entries_.begin()), entries_.data() + (hi - entries_.begin())};
  }

 private:
  void Add(std::string_view words, bool ambiguous) {
    Entry entry{{}, ambiguous};
    size_t pos = 0;
    while (pos <= words.size()) {
      if (pos == words.size() || words[pos] == ' ') {
        if (!entry.text.empty()) entries_.push_back(entry);
        entry.text.clear();
        ++pos;
        continue;
      }
      entry.text += util::DecodeUtf8(words, pos);
    }
  }

  std::vector<Entry> entries_;
};

const EndingTable& Table() {
  static const EndingTable table;
  return table;
}

bool EndsWith(std::u32string_view s, const std::u32string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ParticleMatch StripParticle(std::u32string_view syllables) {
  ParticleMatch m;
  m.stem_len = syllables.size();
  if (syllables.size() < 2) return m;
  auto [it, end] = Table().WithLast(syllables.back());
  for (; it != end; ++it) {
    if (it->text.size() < syllables.size() && EndsWith(syllables, it->text)) {
      m.stem_len = syllables.size() - it->text.size();
      m.stripped = true;
      m.ambiguous = it->ambiguous;
      return m;
    }
  }
  return m;
}

bool IsParticle(std::u32string_view syllables) {
  if (syllables.empty()) return false;
  auto [it, end] = Table().WithLast(syllables.back());
  for (; it != end; ++it) {
    if (it->text == syllables) return true;
  }
  return false;
}

}  // namespace docent::text
