// Chunker tests: the text invariant on every chunk, sizes on long documents, headings,
// pages, slides and sheets, overlap, dangling headings, determinism, Location().
#include "docent/text/chunker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "docent/util/utf8.h"

namespace docent::text {
namespace {

using ingest::Block;
using ingest::BlockKind;
using ingest::ExtractedDocument;

Block Para(std::string text, int page = 0) {
  Block b;
  b.text = std::move(text);
  b.page = page;
  return b;
}

Block Heading(std::string text, int level, int page = 0) {
  Block b = Para(std::move(text), page);
  b.kind = BlockKind::kHeading;
  b.level = level;
  return b;
}

size_t Cps(std::string_view s) {
  return util::CountCodePoints(s);
}

// The header's invariant, plus ordering: chunks start in order and never start inside
// whitespace or end after it.
void CheckInvariant(const ChunkedDocument& doc) {
  uint32_t prev_begin = 0;
  for (size_t i = 0; i < doc.chunks.size(); ++i) {
    const Chunk& c = doc.chunks[i];
    ASSERT_LT(c.char_begin, c.char_end) << "chunk " << i;
    size_t b = util::ByteOffsetOfCodePoint(doc.full_text, c.char_begin);
    size_t e = util::ByteOffsetOfCodePoint(doc.full_text, c.char_end);
    ASSERT_EQ(doc.full_text.substr(b, e - b), c.text) << "chunk " << i;
    ASSERT_EQ(Cps(c.text), c.char_end - c.char_begin) << "chunk " << i;
    EXPECT_NE(c.text.front(), ' ');
    EXPECT_NE(c.text.back(), '\n');
    if (i > 0) {
      EXPECT_GT(c.char_begin, prev_begin) << "chunk " << i;
    }
    prev_begin = c.char_begin;
  }
}

// Sentence k of paragraph p: distinct, 60-100 code points, ends with a period.
std::string Sentence(int p, int k) {
  std::string s = "Paragraph " + std::to_string(p) + " sentence " + std::to_string(k) +
                  " says something about leave policy";
  for (int i = 0; i < (p * 7 + k * 3) % 5; ++i) s += " and more";
  return s + ".";
}

ExtractedDocument LongDoc(int paragraphs) {
  ExtractedDocument doc;
  for (int p = 0; p < paragraphs; ++p) {
    std::string text;
    for (int k = 0; k < 3 + p % 6; ++k) {
      if (k) text += ' ';
      text += Sentence(p, k);
    }
    doc.blocks.push_back(Para(text));
  }
  return doc;
}

TEST(ChunkerTest, TinyDocumentIsOneChunk) {
  ExtractedDocument doc;
  doc.blocks.push_back(Para("  Hello.\n"));
  ChunkedDocument out = ChunkDocument(doc);
  EXPECT_EQ(out.full_text, "Hello.");
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].text, "Hello.");
  EXPECT_EQ(out.chunks[0].char_begin, 0u);
  EXPECT_EQ(out.chunks[0].char_end, 6u);
  EXPECT_EQ(out.chunks[0].Location(), "");
}

TEST(ChunkerTest, EmptyDocumentHasNoChunks) {
  ExtractedDocument doc;
  doc.blocks.push_back(Para(" \n "));
  ChunkedDocument out = ChunkDocument(doc);
  EXPECT_EQ(out.full_text, "");
  EXPECT_TRUE(out.chunks.empty());
}

TEST(ChunkerTest, FullTextJoinsNormalisedBlocks) {
  ExtractedDocument doc;
  doc.blocks.push_back(Heading("Leave policy", 1));
  // "휴가" written as conjoining jamo: NFC composes it.
  doc.blocks.push_back(Para("\u1112\u1172\u1100\u1161 is 15 days."));
  ChunkedDocument out = ChunkDocument(doc);
  EXPECT_EQ(out.full_text, "Leave policy\n\n휴가 is 15 days.");
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].text, out.full_text);
  EXPECT_EQ(out.chunks[0].char_end, 28u);
  EXPECT_EQ(out.chunks[0].heading_path, "Leave policy");
  CheckInvariant(out);
}

TEST(ChunkerTest, LongDocumentChunksStayWithinBounds) {
  ChunkerOptions o;  // 800 / 1000 / 1500, overlap 150
  ChunkedDocument out = ChunkDocument(LongDoc(120), o);
  CheckInvariant(out);
  ASSERT_GT(out.chunks.size(), 10u);
  for (size_t i = 0; i < out.chunks.size(); ++i) {
    const size_t n = Cps(out.chunks[i].text);
    EXPECT_LE(n, o.max_chars) << "chunk " << i;
    if (i + 1 < out.chunks.size()) {
      EXPECT_GE(n, o.min_chars) << "chunk " << i;
    }
  }
  // Every paragraph's text lands in some chunk.
  for (int p = 0; p < 120; ++p) {
    bool found = false;
    for (const Chunk& c : out.chunks)
      found = found || c.text.find(Sentence(p, 0)) != std::string::npos;
    EXPECT_TRUE(found) << "paragraph " << p;
  }
}

TEST(ChunkerTest, ConsecutiveChunksOverlapByWholeSentences) {
  ChunkerOptions o;
  ChunkedDocument out = ChunkDocument(LongDoc(60), o);
  CheckInvariant(out);
  ASSERT_GT(out.chunks.size(), 3u);
  size_t overlapping = 0;
  for (size_t i = 1; i < out.chunks.size(); ++i) {
    const Chunk& prev = out.chunks[i - 1];
    const Chunk& next = out.chunks[i];
    if (next.char_begin >= prev.char_end) continue;
    ++overlapping;
    EXPECT_LE(prev.char_end - next.char_begin, o.overlap_chars);
    // The overlap starts at a sentence: "Paragraph N sentence K ...".
    EXPECT_EQ(next.text.rfind("Paragraph ", 0), 0u) << next.text.substr(0, 40);
  }
  EXPECT_GE(overlapping, out.chunks.size() / 2);
}

TEST(ChunkerTest, HeadingPathsFollowLevels) {
  ChunkerOptions o{.target_chars = 100, .min_chars = 80, .max_chars = 150, .overlap_chars = 40};
  ExtractedDocument doc;
  doc.blocks.push_back(Heading("Handbook", 1));
  doc.blocks.push_back(Heading("Leave", 2));
  doc.blocks.push_back(Para(std::string(90, 'a') + "."));
  doc.blocks.push_back(Heading("Annual  leave\n(연차)", 3));
  doc.blocks.push_back(Para(std::string(90, 'b') + "."));
  doc.blocks.push_back(Heading("Pay", 2));
  doc.blocks.push_back(Para(std::string(90, 'c') + "."));
  ChunkedDocument out = ChunkDocument(doc, o);
  CheckInvariant(out);
  ASSERT_EQ(out.chunks.size(), 3u);
  EXPECT_EQ(out.chunks[0].heading_path, "Handbook > Leave");
  EXPECT_EQ(out.chunks[0].text.rfind("Handbook\n\nLeave\n\naaa", 0), 0u);
  EXPECT_EQ(out.chunks[1].heading_path, "Handbook > Leave > Annual leave (연차)");
  EXPECT_EQ(out.chunks[2].heading_path, "Handbook > Pay");
  EXPECT_EQ(out.chunks[2].text, "Pay\n\n" + std::string(90, 'c') + ".");
}

TEST(ChunkerTest, SmallSectionsShareAChunkBelowMinChars) {
  ExtractedDocument doc;
  doc.blocks.push_back(Heading("A", 1));
  doc.blocks.push_back(Para("Short text."));
  doc.blocks.push_back(Heading("B", 1));
  doc.blocks.push_back(Para("More short text."));
  ChunkedDocument out = ChunkDocument(doc);
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].heading_path, "A");
}

TEST(ChunkerTest, HeadingIsNeverLeftDanglingAtAChunkEnd) {
  ChunkerOptions o{.target_chars = 100, .min_chars = 80, .max_chars = 150, .overlap_chars = 40};
  ExtractedDocument doc;
  doc.blocks.push_back(Para(std::string(75, 'a') + "."));   // 76 code points, below min
  doc.blocks.push_back(Heading("Next section", 2));         // 76 + 2 + 12 = 90 >= min
  doc.blocks.push_back(Para(std::string(119, 'b') + "."));  // does not fit: a cut comes here
  ChunkedDocument out = ChunkDocument(doc, o);
  CheckInvariant(out);
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].text, std::string(75, 'a') + ".");
  EXPECT_EQ(out.chunks[1].text, "Next section\n\n" + std::string(119, 'b') + ".");
  EXPECT_EQ(out.chunks[1].heading_path, "Next section");
}

TEST(ChunkerTest, LongDocumentWithHeadingsHasNoDanglingHeadings) {
  ExtractedDocument doc = LongDoc(80);
  std::vector<Block> blocks;
  for (size_t i = 0; i < doc.blocks.size(); ++i) {
    if (i % 3 == 0) blocks.push_back(Heading("Section " + std::to_string(i), 2));
    blocks.push_back(doc.blocks[i]);
  }
  doc.blocks = blocks;
  ChunkedDocument out = ChunkDocument(doc);
  CheckInvariant(out);
  for (const Chunk& c : out.chunks) {
    EXPECT_LE(Cps(c.text), 1500u);
    size_t last_para = c.text.rfind("\n\n");
    std::string tail = last_para == std::string::npos ? c.text : c.text.substr(last_para + 2);
    EXPECT_NE(tail.rfind("Section ", 0), 0u) << "dangling heading: " << tail;
  }
}

TEST(ChunkerTest, PagesAreTrackedAndMaySpan) {
  ExtractedDocument doc;
  doc.format = "pdf";
  doc.blocks.push_back(Para("Page one text.", 1));
  doc.blocks.push_back(Para("Page two text.", 2));
  doc.blocks.push_back(Para("Still page two.", 2));
  ChunkedDocument out = ChunkDocument(doc);
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].page_begin, 1);
  EXPECT_EQ(out.chunks[0].page_end, 2);
  EXPECT_EQ(out.chunks[0].Location(), "pp. 1-2");
}

TEST(ChunkerTest, HeadingOnANewPageStartsAChunkEvenWhenSmall) {
  ExtractedDocument doc;
  doc.blocks.push_back(Para("Intro on page one.", 1));
  doc.blocks.push_back(Heading("Chapter 2", 1, 2));
  doc.blocks.push_back(Para("Body on page two.", 2));
  ChunkedDocument out = ChunkDocument(doc);
  CheckInvariant(out);
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].Location(), "p. 1");
  EXPECT_EQ(out.chunks[1].Location(), "p. 2 \u00B7 Chapter 2");
}

TEST(ChunkerTest, SlidesAndSheetsAreNeverMixed) {
  ExtractedDocument deck;
  for (int s = 1; s <= 3; ++s) {
    Block title = Heading("Slide title " + std::to_string(s), 2);
    title.slide = s;
    deck.blocks.push_back(title);
    Block body = Para("Point for slide " + std::to_string(s) + ".");
    body.slide = s;
    deck.blocks.push_back(body);
  }
  ChunkedDocument out = ChunkDocument(deck);
  CheckInvariant(out);
  ASSERT_EQ(out.chunks.size(), 3u);
  for (int s = 1; s <= 3; ++s) {
    const Chunk& c = out.chunks[s - 1];
    EXPECT_EQ(c.slide_begin, s);
    EXPECT_EQ(c.slide_end, s);
    EXPECT_EQ(c.heading_path, "Slide title " + std::to_string(s));
    EXPECT_EQ(c.Location(),
              "slide " + std::to_string(s) + " \u00B7 Slide title " + std::to_string(s));
  }

  ExtractedDocument book;
  for (const char* sheet : {"Income", "Expenses"}) {
    for (int r = 0; r < 3; ++r) {
      Block row;
      row.kind = BlockKind::kTableRow;
      row.text = std::string(sheet) + " | row " + std::to_string(r) + " | 100";
      row.sheet = sheet;
      book.blocks.push_back(row);
    }
  }
  out = ChunkDocument(book);
  CheckInvariant(out);
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].sheet, "Income");
  EXPECT_EQ(out.chunks[0].text.find("Expenses"), std::string::npos);
  EXPECT_EQ(out.chunks[1].sheet, "Expenses");
  EXPECT_EQ(out.chunks[1].text.find("Income"), std::string::npos);
  EXPECT_EQ(out.chunks[1].Location(), "sheet Expenses");
}

TEST(ChunkerTest, OverLongSentencesAreCutAtSpaces) {
  std::string words;
  while (Cps(words) < 4000) words += "연차휴가 규정 ";
  ExtractedDocument doc;
  doc.blocks.push_back(Para(words));
  ChunkerOptions o;
  ChunkedDocument out = ChunkDocument(doc, o);
  CheckInvariant(out);
  ASSERT_GE(out.chunks.size(), 3u);
  const std::u32string cps = [&] {
    std::u32string s;
    for (size_t pos = 0; pos < out.full_text.size();) s += util::DecodeUtf8(out.full_text, pos);
    return s;
  }();
  for (const Chunk& c : out.chunks) {
    EXPECT_LE(Cps(c.text), o.max_chars);
    // Cut between words, never inside one.
    if (c.char_begin > 0) {
      EXPECT_EQ(cps[c.char_begin - 1], U' ');
    }
    if (c.char_end < cps.size()) {
      EXPECT_EQ(cps[c.char_end], U' ');
    }
  }
}

TEST(ChunkerTest, KoreanSizesAreCountedInCodePoints) {
  ExtractedDocument doc;
  for (int p = 0; p < 40; ++p) {
    std::string text;
    for (int k = 0; k < 5; ++k)
      text += "연차휴가는 입사 후 1년이 지나면 15일이 부여되며 신청은 인사팀에 합니다. ";
    doc.blocks.push_back(Para(text));
  }
  ChunkerOptions o;
  ChunkedDocument out = ChunkDocument(doc, o);
  CheckInvariant(out);
  for (size_t i = 0; i + 1 < out.chunks.size(); ++i) {
    EXPECT_GE(Cps(out.chunks[i].text), o.min_chars);
    EXPECT_LE(Cps(out.chunks[i].text), o.max_chars);
  }
}

TEST(ChunkerTest, Deterministic) {
  ExtractedDocument doc = LongDoc(50);
  doc.blocks.insert(doc.blocks.begin() + 10, Heading("Middle", 1));
  ChunkedDocument a = ChunkDocument(doc);
  ChunkedDocument b = ChunkDocument(doc);
  ASSERT_EQ(a.full_text, b.full_text);
  ASSERT_EQ(a.chunks.size(), b.chunks.size());
  for (size_t i = 0; i < a.chunks.size(); ++i) {
    EXPECT_EQ(a.chunks[i].text, b.chunks[i].text);
    EXPECT_EQ(a.chunks[i].char_begin, b.chunks[i].char_begin);
    EXPECT_EQ(a.chunks[i].heading_path, b.chunks[i].heading_path);
  }
}

TEST(ChunkerTest, LocationFormats) {
  Chunk c;
  EXPECT_EQ(c.Location(), "");
  c.page_begin = c.page_end = 3;
  EXPECT_EQ(c.Location(), "p. 3");
  c.page_end = 4;
  c.heading_path = "Leave policy > Annual leave";
  EXPECT_EQ(c.Location(), "pp. 3-4 \u00B7 Leave policy > Annual leave");
  Chunk s;
  s.slide_begin = s.slide_end = 2;
  EXPECT_EQ(s.Location(), "slide 2");
  Chunk x;
  x.sheet = "Expenses";
  EXPECT_EQ(x.Location(), "sheet Expenses");
}

}  // namespace
}  // namespace docent::text
