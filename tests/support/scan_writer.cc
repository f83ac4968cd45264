// Scanned-page fixtures: the pages are laid out by WritePdf (NanumGothic, 10.5 pt body),
// rendered by poppler at the scan resolution, turned by a small angle and given Gaussian
// noise (Leptonica, a seeded generator), saved as JPEG, and placed one per A4 page in a PDF
// that has no text layer (cairo embeds the JPEG as it is).
#include <cairo-pdf.h>
#include <cairo.h>
#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>

#include "support/doc_writers.h"
#include "support/temp_dir.h"

namespace docent::testing {
namespace {

constexpr double kPageWidth = 595.276;  // A4 in points
constexpr double kPageHeight = 841.89;

struct PixDeleter {
  void operator()(Pix* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

Result<std::string> ScanPage(const poppler::document& pdf, int index, const ScanOptions& o,
                             std::mt19937& rng) {
  std::unique_ptr<poppler::page> page(pdf.create_page(index));
  if (!page) return Internal("scan: page " + std::to_string(index + 1) + " missing");
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  renderer.set_render_hints(poppler::page_renderer::antialiasing |
                            poppler::page_renderer::text_antialiasing);
  const poppler::image image = renderer.render_page(page.get(), o.dpi, o.dpi);
  if (!image.is_valid()) return Internal("scan: page does not render");
  PixPtr pix(pixCreate(image.width(), image.height(), 8));
  for (int y = 0; y < image.height(); ++y) {
    l_uint32* line = pixGetData(pix.get()) + static_cast<size_t>(y) * pixGetWpl(pix.get());
    const auto* row =
        reinterpret_cast<const uint8_t*>(image.const_data()) + y * image.bytes_per_row();
    for (int x = 0; x < image.width(); ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  PixPtr turned(pixRotate(pix.get(), static_cast<float>(o.angle_degrees * M_PI / 180.0),
                          L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
  if (!turned) return Internal("scan: rotation failed");
  std::normal_distribution<double> noise(0.0, o.noise_sigma);
  const int w = static_cast<int>(pixGetWidth(turned.get()));
  const int h = static_cast<int>(pixGetHeight(turned.get()));
  for (int y = 0; y < h; ++y) {
    l_uint32* line = pixGetData(turned.get()) + static_cast<size_t>(y) * pixGetWpl(turned.get());
    for (int x = 0; x < w; ++x) {
      const double v = GET_DATA_BYTE(line, x) + noise(rng);
      SET_DATA_BYTE(line, x, static_cast<l_uint32>(std::clamp(std::lround(v), 0L, 255L)));
    }
  }
  pixSetResolution(turned.get(), o.dpi, o.dpi);
  l_uint8* jpeg = nullptr;
  size_t size = 0;
  if (pixWriteMemJpeg(&jpeg, &size, turned.get(), o.jpeg_quality, 0) != 0) {
    return Internal("scan: JPEG encoding failed");
  }
  std::string bytes(reinterpret_cast<const char*>(jpeg), size);
  lept_free(jpeg);
  return bytes;
}

}  // namespace

Result<std::vector<std::string>> ScanPages(const std::string& title,
                                           const std::vector<std::vector<DocItem>>& pages,
                                           const ScanOptions& options) {
  TempDir dir;
  DOCENT_RETURN_IF_ERROR(WritePdf(dir.path() / "text.pdf", title, pages));
  const std::string text_pdf = ReadFileOrEmpty(dir.path() / "text.pdf");
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(text_pdf.data(), static_cast<int>(text_pdf.size())));
  if (!pdf) return Internal("scan: cannot read back the laid-out PDF");
  std::mt19937 rng(options.seed);
  std::vector<std::string> out;
  for (int i = 0; i < pdf->pages(); ++i) {
    DOCENT_ASSIGN_OR_RETURN(std::string jpeg, ScanPage(*pdf, i, options, rng));
    out.push_back(std::move(jpeg));
  }
  return out;
}

namespace {

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Status WriteImagePdf(const std::filesystem::path& path, const std::vector<std::string>& jpegs) {
  std::string out;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(AppendTo, &out, kPageWidth, kPageHeight);
  cairo_t* cr = cairo_create(surface);
  Status status = Status::Ok();
  for (const std::string& jpeg : jpegs) {
    PixPtr pix(pixReadMem(reinterpret_cast<const l_uint8*>(jpeg.data()), jpeg.size()));
    if (!pix) {
      status = Internal("image pdf: not a JPEG");
      break;
    }
    PixPtr rgb(pixConvertTo32(pix.get()));
    const int w = static_cast<int>(pixGetWidth(rgb.get()));
    const int h = static_cast<int>(pixGetHeight(rgb.get()));
    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_surface_flush(img);
    unsigned char* dst = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    for (int y = 0; y < h; ++y) {
      const l_uint32* line = pixGetData(rgb.get()) + static_cast<size_t>(y) * pixGetWpl(rgb.get());
      auto* row = reinterpret_cast<uint32_t*>(dst + static_cast<size_t>(y) * stride);
      for (int x = 0; x < w; ++x) row[x] = line[x] >> 8;  // RGBA to cairo's xRGB
    }
    cairo_surface_mark_dirty(img);
    // The PDF gets the JPEG's own bytes (DCTDecode), as a scanner's PDF would.
    auto* copy = new std::string(jpeg);
    cairo_surface_set_mime_data(
        img, CAIRO_MIME_TYPE_JPEG, reinterpret_cast<const unsigned char*>(copy->data()),
        copy->size(), [](void* p) { delete static_cast<std::string*>(p); }, copy);
    cairo_save(cr);
    cairo_scale(cr, kPageWidth / w, kPageHeight / h);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  if (status.ok() && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    status = Internal("image pdf: cairo failed");
  }
  cairo_surface_destroy(surface);
  if (!status.ok()) return status;
  return WriteTextFile(path, out);
}

}  // namespace docent::testing
