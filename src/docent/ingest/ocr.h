// Optical character recognition of scanned pages: Leptonica deskews and cleans the page,
// Tesseract (LSTM, languages "kor+eng" in that order: the other order spaces out every Hangul
// syllable) reads it as one block of text (page segmentation 6: the default, 3, loses whole
// lines of Korean pages; 6 read the test pages better than 4, Korean 0.979 vs 0.972). Used by the
// PDF extractor for pages without a text layer and for image files (PNG, JPEG, TIFF).
//
// Each recognising thread has its own Tesseract instance; pages run on `threads` threads,
// niced when `low_priority` (serve), so searches and answers keep the CPU. Tesseract's own
// OpenMP is held to one thread per instance by OMP_THREAD_LIMIT (cli/main.cc sets it).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace docent::ingest {

enum class OcrMode {
  kOff,    // never: a page without text is skipped, an image file is unsupported
  kAuto,   // PDF pages whose text layer holds fewer than 32 non-space characters, and images
  kForce,  // every PDF page, whatever its text layer says
};

// "off", "auto", "force"; kInvalidArgument naming the accepted values otherwise.
Result<OcrMode> ParseOcrMode(std::string_view text);

struct OcrOptions {
  OcrMode mode = OcrMode::kAuto;
  int threads = 1;            // pages recognised at once
  bool low_priority = false;  // nice the recognising threads (under serve)
  // When set and it becomes true, recognition stops before the next page (kCancelled).
  const std::atomic<bool>* cancel = nullptr;
  // Called as pages finish: (pages done, pages to recognise). From the recognising threads,
  // one call at a time.
  std::function<void(int done, int total)> on_page;
};

// A page as 8-bit gray rows (0 black .. 255 white), with the resolution it was scanned or
// rendered at.
struct GrayPage {
  int width = 0, height = 0;
  int dpi = 300;
  std::vector<uint8_t> pixels;  // width * height, row by row
};

// Text layers with fewer non-space characters than this are read by OCR under kAuto.
inline constexpr int kOcrMinTextChars = 32;

// Recognises `count` pages, each made on demand by `page(i)` (called one at a time, so it
// may use a document that is not thread-safe; only `threads` pages are in memory at once).
// The i-th result is page i's paragraphs (a paragraph's lines joined), or, for a page that
// could not be rendered or read, the reason; the others are still read. The call itself
// fails only when OCR cannot run at all (kUnavailable: no Tesseract or no Korean/English
// data) or is cancelled.
struct PageText {
  std::vector<std::string> paragraphs;
  std::string error;  // empty when the page was read
};
using PageSource = std::function<Result<GrayPage>(int index)>;
Result<std::vector<PageText>> RecognizePages(int count, const PageSource& page,
                                             const OcrOptions& options);

// Pages larger than this (or wider or taller than Tesseract's 32,767 pixels) are not read.
inline constexpr uint64_t kMaxOcrPagePixels = 60'000'000;
inline constexpr int kMaxOcrPageSide = 32767;

// Image files: PNG, JPEG, or TIFF (every page). CountImagePages reads the headers only:
// kCorrupt for bytes that are no such image, kTooLarge when the pages together pass
// `max_pixels` or one is over the page limits above. DecodeImagePage decodes page `index` to
// gray (transparency over white).
inline constexpr int kMaxImagePages = 2000;
Result<int> CountImagePages(std::string_view bytes, uint64_t max_pixels);
Result<GrayPage> DecodeImagePage(std::string_view bytes, int index);

}  // namespace docent::ingest
