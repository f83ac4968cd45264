#include "docent/ingest/ocr.h"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <tesseract/capi.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>

namespace docent::ingest {
namespace {

constexpr char kLanguages[] = "kor+eng";
constexpr int kLowPriorityNice = 10;

struct PixDeleter {
  void operator()(Pix* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// Leptonica prints its complaints to stderr; a hostile image would fill the log.
void SilenceLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

PixPtr ToPix(const GrayPage& page) {
  PixPtr pix(pixCreate(page.width, page.height, 8));
  if (!pix) return nullptr;
  pixSetResolution(pix.get(), page.dpi, page.dpi);
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < page.height; ++y) {
    l_uint32* line = data + static_cast<size_t>(y) * wpl;
    const uint8_t* row = page.pixels.data() + static_cast<size_t>(y) * page.width;
    for (int x = 0; x < page.width; ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  return pix;
}

GrayPage FromPix(Pix* any) {
  GrayPage page;
  // A transparent background is drawn on white (else it reads as black: no text at all).
  PixPtr opaque(pixGetSpp(any) == 4 ? pixAlphaBlendUniform(any, 0xffffff00) : nullptr);
  PixPtr gray(pixConvertTo8(opaque ? opaque.get() : any, 0));
  if (!gray) return page;
  page.width = static_cast<int>(pixGetWidth(gray.get()));
  page.height = static_cast<int>(pixGetHeight(gray.get()));
  l_int32 xres = 0, yres = 0;
  pixGetResolution(any, &xres, &yres);
  page.dpi = xres >= 70 && xres <= 1200 ? xres : 300;  // unknown: assume a 300 dpi scan
  page.pixels.resize(static_cast<size_t>(page.width) * page.height);
  const l_uint32* data = pixGetData(gray.get());
  const int wpl = pixGetWpl(gray.get());
  for (int y = 0; y < page.height; ++y) {
    const l_uint32* line = data + static_cast<size_t>(y) * wpl;
    for (int x = 0; x < page.width; ++x) {
      page.pixels[static_cast<size_t>(y) * page.width + x] =
          static_cast<uint8_t>(GET_DATA_BYTE(line, x));
    }
  }
  return page;
}

// Turns the page upright when it is skewed by 1 degree or more (Leptonica's skew search on a
// binarised copy), then evens out the background to white, so that a grey or yellowed scan
// does not become specks. Smaller skews are left to Tesseract's own line finding: resampling
// a page turned 0.7 degrees measured no better, and slightly worse on mixed pages
// (ocr_slow_test: Korean 0.981 vs 0.983, mixed 0.983 vs 0.991).
PixPtr CleanPage(const GrayPage& page) {
  constexpr float kMinDeskewDegrees = 1.0f, kMinConfidence = 3.0f;
  PixPtr pix = ToPix(page);
  if (!pix) return nullptr;
  if (PixPtr binary(pixConvertTo1(pix.get(), 160)); binary) {
    l_float32 angle = 0, confidence = 0;
    if (pixFindSkew(binary.get(), &angle, &confidence) == 0 &&
        std::fabs(angle) >= kMinDeskewDegrees && confidence >= kMinConfidence) {
      PixPtr upright(pixRotate(pix.get(), angle * static_cast<l_float32>(M_PI / 180.0),
                               L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
      if (upright) pix = std::move(upright);
    }
  }
  PixPtr clean(pixCleanBackgroundToWhite(pix.get(), nullptr, nullptr, 1.0, 70, 190));
  return clean ? std::move(clean) : std::move(pix);
}

// A page's text as Tesseract gives it (lines; a blank line between paragraphs) to
// paragraphs whose lines are joined by spaces.
std::vector<std::string> Paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      if (!current.empty()) current += ' ';
      current += line;
    }
    start = end + 1;
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// Tesseract is opened on first use, not linked: it brings libgomp, which reads
// OMP_THREAD_LIMIT once, when it is loaded. Left unset, Tesseract's OpenMP loops fan out over
// every core from each recognising thread and spin: three times slower on two cores than one
// thread each (OcrTest, measured). The variable is set before any thread starts (below), and
// the library is loaded after, so the limit holds; a user's own setting wins.
[[maybe_unused]] const bool kOmpLimitSet = setenv("OMP_THREAD_LIMIT", "1", 0) == 0;

struct TesseractApi {
  TessBaseAPI* (*create)();
  void (*destroy)(TessBaseAPI*);
  int (*init)(TessBaseAPI*, const char*, const char*, TessOcrEngineMode);
  void (*set_psm)(TessBaseAPI*, TessPageSegMode);
  BOOL (*set_variable)(TessBaseAPI*, const char*, const char*);
  void (*set_image)(TessBaseAPI*, Pix*);
  void (*set_resolution)(TessBaseAPI*, int);
  char* (*get_text)(TessBaseAPI*);
  void (*delete_text)(const char*);
  void (*clear)(TessBaseAPI*);
  void (*end)(TessBaseAPI*);
};

// The library's functions, or an error saying which package is missing.
Result<const TesseractApi*> LoadTesseract() {
  static const Result<const TesseractApi*> loaded = []() -> Result<const TesseractApi*> {
    void* lib = dlopen("libtesseract.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      return Unavailable(
          "OCR needs Tesseract 5 (Debian: libtesseract5 tesseract-ocr-kor "
          "tesseract-ocr-eng)");
    }
    static TesseractApi api;
    bool ok = true;
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      ok = ok && fn != nullptr;
    };
    get(api.create, "TessBaseAPICreate");
    get(api.destroy, "TessBaseAPIDelete");
    get(api.init, "TessBaseAPIInit2");
    get(api.set_psm, "TessBaseAPISetPageSegMode");
    get(api.set_variable, "TessBaseAPISetVariable");
    get(api.set_image, "TessBaseAPISetImage2");
    get(api.set_resolution, "TessBaseAPISetSourceResolution");
    get(api.get_text, "TessBaseAPIGetUTF8Text");
    get(api.delete_text, "TessDeleteText");
    get(api.clear, "TessBaseAPIClear");
    get(api.end, "TessBaseAPIEnd");
    if (!ok) return Unavailable("libtesseract.so.5 lacks its C API");
    return &api;  // the library stays loaded for the life of the process
  }();
  return loaded;
}

class Recognizer {
 public:
  Status Init() {
    DOCENT_ASSIGN_OR_RETURN(api_, LoadTesseract());
    handle_ = api_->create();
    if (handle_ == nullptr) return ResourceExhausted("cannot create a Tesseract instance");
    // Its warnings are not the user's business. A global of Tesseract's: set once, before
    // any instance reads it.
    static std::once_flag quiet;
    std::call_once(quiet, [&] { api_->set_variable(handle_, "debug_file", "/dev/null"); });
    // Language data lives where Debian installs it unless TESSDATA_PREFIX says otherwise.
    const char* prefix = std::getenv("TESSDATA_PREFIX");
    if (api_->init(handle_, prefix != nullptr && *prefix != '\0' ? prefix : nullptr, kLanguages,
                   tesseract::OEM_LSTM_ONLY) != 0) {
      return Unavailable(
          "OCR needs Tesseract's Korean and English data (Debian: tesseract-ocr-kor "
          "tesseract-ocr-eng)");
    }
    api_->set_psm(handle_, tesseract::PSM_SINGLE_BLOCK);
    return Status::Ok();
  }
  ~Recognizer() {
    if (handle_ != nullptr) {
      api_->end(handle_);
      api_->destroy(handle_);
    }
  }

  Result<std::vector<std::string>> Read(const GrayPage& page) {
    PixPtr pix = CleanPage(page);
    if (!pix) return ResourceExhausted("out of memory preparing a page for OCR");
    api_->set_image(handle_, pix.get());
    api_->set_resolution(handle_, page.dpi);
    char* text = api_->get_text(handle_);
    api_->clear(handle_);
    if (text == nullptr) return Internal("Tesseract could not read a page");
    std::vector<std::string> paragraphs = Paragraphs(text);
    api_->delete_text(text);
    return paragraphs;
  }

 private:
  const TesseractApi* api_ = nullptr;
  TessBaseAPI* handle_ = nullptr;
};

}  // namespace

Result<OcrMode> ParseOcrMode(std::string_view text) {
  if (text == "off") return OcrMode::kOff;
  if (text == "auto") return OcrMode::kAuto;
  if (text == "force") return OcrMode::kForce;
  return InvalidArgument("--ocr takes off, auto or force, not \"" + std::string(text) + "\"");
}

Result<std::vector<PageText>> RecognizePages(int count, const PageSource& page,
                                             const OcrOptions& options) {
  SilenceLeptonica();
  std::vector<PageText> texts(static_cast<size_t>(std::max(count, 0)));
  if (count <= 0) return texts;
  const int threads = std::clamp(options.threads, 1, count);
  std::mutex mu;  // guards next, done, status, and calls of `page` and `on_page`
  int next = 0, done = 0;
  Status status = Status::Ok();
  auto cancelled = [&] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };
  auto work = [&] {
    // Nothing may escape a thread (std::terminate): allocation failures become the status.
    try {
      if (options.low_priority) {
        // Linux nices threads one by one; Tesseract's helper threads inherit it.
        setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kLowPriorityNice);
      }
      Recognizer recognizer;
      if (Status s = recognizer.Init(); !s.ok()) {
        std::lock_guard lock(mu);
        if (status.ok()) status = s;
        return;
      }
      for (;;) {
        int index;
        Result<GrayPage> image = GrayPage{};
        {
          std::lock_guard lock(mu);
          if (!status.ok() || next >= count) return;
          if (cancelled()) {
            status = Cancelled("OCR was stopped");
            return;
          }
          index = next++;
          image = page(index);
        }
        PageText& out = texts[static_cast<size_t>(index)];
        if (image.ok()) {
          auto text = recognizer.Read(*image);
          if (text.ok()) {
            out.paragraphs = std::move(*text);
          } else {
            out.error = text.status().message();
          }
        } else {
          out.error = image.status().message();
        }
        image = GrayPage{};  // the page's pixels go before the lock is taken again
        std::lock_guard lock(mu);
        ++done;
        if (options.on_page) options.on_page(done, count);
      }
    } catch (const std::bad_alloc&) {
      std::lock_guard lock(mu);
      if (status.ok()) status = ResourceExhausted("out of memory during OCR");
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      if (status.ok()) status = Internal(std::string("OCR failed: ") + e.what());
    }
  };
  // Even one thread is a thread of its own: its nice value must not stick to the caller.
  std::vector<std::thread> pool;
  try {
    for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  } catch (const std::system_error&) {
    if (pool.empty()) return ResourceExhausted("cannot start an OCR thread");
    // Fewer threads than asked: the ones started read every page.
  }
  for (std::thread& t : pool) t.join();
  if (!status.ok()) return status;
  return texts;
}

namespace {

bool IsTiff(l_int32 format) {
  return format == IFF_TIFF || format == IFF_TIFF_G3 || format == IFF_TIFF_G4 ||
         format == IFF_TIFF_PACKBITS || format == IFF_TIFF_RLE || format == IFF_TIFF_LZW ||
         format == IFF_TIFF_ZIP || format == IFF_TIFF_JPEG;
}

}  // namespace

Result<int> CountImagePages(std::string_view bytes, uint64_t max_pixels) {
  SilenceLeptonica();
  const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0, res = 0;
  // Only PNG, JPEG and TIFF: Leptonica reads other formats' headers by decoding them whole.
  if (bytes.size() < 12 || findFileFormatBuffer(data, &format) != 0 ||
      !(format == IFF_PNG || format == IFF_JFIF_JPEG || IsTiff(format))) {
    return Corrupt("not a PNG, JPEG or TIFF image");
  }
  auto page_fits = [&](l_int32 pw, l_int32 ph) {
    return pw > 0 && ph > 0 && pw <= kMaxOcrPageSide && ph <= kMaxOcrPageSide &&
           static_cast<uint64_t>(pw) * static_cast<uint64_t>(ph) <= kMaxOcrPagePixels;
  };
  if (pixReadHeaderMem(data, bytes.size(), &format, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 ||
      h <= 0) {
    return Corrupt("not a readable PNG, JPEG or TIFF image");
  }
  // Every page's size is read from its header before any is decoded: a small file can
  // declare a huge image.
  if (!page_fits(w, h)) {
    return TooLarge("image is " + std::to_string(w) + " x " + std::to_string(h) +
                    " pixels: a page is read up to " + std::to_string(kMaxOcrPagePixels) +
                    " pixels and " + std::to_string(kMaxOcrPageSide) + " on a side");
  }
  uint64_t pixels = static_cast<uint64_t>(w) * static_cast<uint64_t>(h);
  int pages = 1;
  if (IsTiff(format)) {
    pixels = 0;
    pages = 0;
    while (pages < kMaxImagePages && readHeaderMemTiff(data, bytes.size(), pages, &w, &h, &bps,
                                                       &spp, &res, &cmap, &format) == 0) {
      if (!page_fits(w, h)) {
        return TooLarge("TIFF page " + std::to_string(pages + 1) + " is " + std::to_string(w) +
                        " x " + std::to_string(h) + " pixels, over the page limits");
      }
      pixels += static_cast<uint64_t>(w) * static_cast<uint64_t>(h);
      ++pages;
    }
    if (pages == 0) return Corrupt("damaged TIFF image");
  }
  if (pixels > max_pixels) {
    return TooLarge("image has " + std::to_string(pixels) + " pixels, over the limit of " +
                    std::to_string(max_pixels));
  }
  return pages;
}

Result<GrayPage> DecodeImagePage(std::string_view bytes, int index) {
  SilenceLeptonica();
  const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
  l_int32 format = 0;
  findFileFormatBuffer(data, &format);
  PixPtr pix(IsTiff(format) ? pixReadMemTiff(data, bytes.size(), index)
                            : pixReadMem(data, bytes.size()));
  if (!pix) return Corrupt("damaged image (page " + std::to_string(index + 1) + ")");
  GrayPage page = FromPix(pix.get());
  if (page.width == 0) return ResourceExhausted("out of memory converting an image page");
  return page;
}

}  // namespace docent::ingest
