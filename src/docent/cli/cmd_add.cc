// `docent add PATH... [--batch-files N] [--ocr off|auto|force] [--ocr-threads N]
// [--embed-model E.gguf [--threads N]]`: ingest
// files and folders, with a progress bar on a terminal and one line per file otherwise; a
// scanned document read by OCR shows its pages as they are read. Files are committed in batches (16
// MB or N files, default 256: indexer::IndexFiles); a file is reported once its batch is stored, so
// after a crash every file listed is in the store and a re-run adds the rest. Then, with an
// embedding model (--embed-model, or the one the store recorded), every chunk without a vector
// gets one (indexer/embed_pass.h): a changed model re-embeds the whole store.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "docent/answer/retrieval_service.h"
#include "docent/cli/commands.h"
#include "docent/indexer/embed_pass.h"
#include "docent/indexer/indexer.h"

namespace docent::cli {
namespace {

using Clock = std::chrono::steady_clock;

class Progress {
 public:
  Progress(size_t total_files, uint64_t total_bytes, bool tty)
      : total_files_(total_files), total_bytes_(total_bytes), tty_(tty), start_(Clock::now()) {}

  void Report(const indexer::FileResult& r) {
    ++files_;
    bytes_ += r.bytes;
    if (r.outcome == indexer::Outcome::kAdded || r.outcome == indexer::Outcome::kReplaced) {
      chunks_ += r.chunks;
    }
    bool problem =
        r.outcome == indexer::Outcome::kFailed || r.outcome == indexer::Outcome::kSkipped;
    if (tty_) {
      // Problems and warnings stay on screen above the bar; routine files only move the bar.
      if (problem || !r.warnings.empty()) {
        std::fprintf(stderr, "\r\033[K");
        PrintLine(r, stderr);
      }
      DrawBar();
    } else {
      PrintLine(r, stdout);
      std::fflush(stdout);
    }
  }

  // A page of a scanned document read: on the bar's line on a terminal, else a line of its
  // own on stderr (stdout keeps one line per file for scripts).
  void OcrPage(const std::string& name, int done, int total) {
    if (tty_) {
      std::fprintf(stderr, "\r\033[K[OCR] %s: page %d of %d", name.c_str(), done, total);
    } else {
      std::fprintf(stderr, "ocr %s: page %d of %d\n", name.c_str(), done, total);
    }
    std::fflush(stderr);
  }

  void Finish(size_t added, size_t updated, size_t unchanged, size_t skipped, size_t failed) {
    if (tty_) std::fprintf(stderr, "\r\033[K");
    double secs = Seconds();
    std::printf(
        "%zu added, %zu updated, %zu unchanged, %zu skipped, %zu failed; %zu chunks, "
        "%.1f MB in %.2f s\n",
        added, updated, unchanged, skipped, failed, chunks_, bytes_ / 1e6, secs);
  }

 private:
  static void PrintLine(const indexer::FileResult& r, FILE* out) {
    switch (r.outcome) {
      case indexer::Outcome::kFailed:
        std::fprintf(out, "failed %s: %s\n", r.path.c_str(), r.message.c_str());
        break;
      case indexer::Outcome::kSkipped:
        std::fprintf(out, "skip %s: %s\n", r.path.c_str(), r.message.c_str());
        break;
      default:
        std::fprintf(out, "%s %s (%zu chunks)\n", std::string(OutcomeName(r.outcome)).c_str(),
                     r.path.c_str(), r.chunks);
    }
    for (const std::string& w : r.warnings)
      std::fprintf(out, "  warning %s: %s\n", r.path.c_str(), w.c_str());
  }

  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  void DrawBar() {
    constexpr int kWidth = 28;
    double frac = total_bytes_ ? static_cast<double>(bytes_) / total_bytes_
                               : static_cast<double>(files_) / std::max<size_t>(1, total_files_);
    int filled = static_cast<int>(frac * kWidth + 0.5);
    std::string bar(static_cast<size_t>(std::min(filled, kWidth)), '#');
    bar.resize(kWidth, '.');
    double secs = std::max(Seconds(), 1e-3);
    std::fprintf(stderr, "\r\033[K[%s] %zu/%zu files  %.1f MB/s  %.0f chunks/s", bar.c_str(),
                 files_, total_files_, bytes_ / 1e6 / secs, chunks_ / secs);
    std::fflush(stderr);
  }

  size_t total_files_;
  uint64_t total_bytes_;
  bool tty_;
  Clock::time_point start_;
  size_t files_ = 0;
  uint64_t bytes_ = 0;
  size_t chunks_ = 0;
};

// Embeds the chunks that have no vector of the embedding model (all of them after a change of
// model), with progress on stderr.
Status EmbedChunks(store::Store& store, const ParsedArgs& args) {
  DOCENT_ASSIGN_OR_RETURN(auto retrieval,
                          OpenRetrieval(store, args, /*use_recorded=*/true, /*report=*/false));
  const llm::Embedder* embedder = retrieval->embedder();
  if (embedder == nullptr) return Status::Ok();
  const bool quiet = args.Has("--quiet");
  const bool tty = isatty(STDERR_FILENO) && !quiet;
  indexer::EmbedPassOptions options;
  options.on_progress = [&](const indexer::EmbedProgress& p) {
    if (quiet) return;
    const double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0.0;
    if (tty) {
      std::fprintf(stderr, "\r\033[Kembedding %lld/%lld chunks  %.1f chunks/s",
                   static_cast<long long>(p.done), static_cast<long long>(p.total), rate);
    } else if (p.done == p.total || p.done % 512 < static_cast<int64_t>(options.batch)) {
      std::fprintf(stderr, "embedding %lld/%lld chunks (%.1f chunks/s)\n",
                   static_cast<long long>(p.done), static_cast<long long>(p.total), rate);
    }
  };
  const auto t0 = Clock::now();
  DOCENT_ASSIGN_OR_RETURN(int64_t done, retrieval->EmbedPending(options));
  if (tty && done > 0) std::fprintf(stderr, "\r\033[K");
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("embedded %lld chunks with %s in %.1f s; dense and hybrid retrieval %s\n",
              static_cast<long long>(done), embedder->name().c_str(), seconds,
              retrieval->dense_ready() ? "ready" : "not ready");
  return Status::Ok();
}

}  // namespace

int RunAdd(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("add"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  indexer::BatchOptions batch;
  auto batch_files =
      args->GetInt("--batch-files", static_cast<int64_t>(batch.batch_files), 1, 1 << 20);
  if (!batch_files.ok()) {
    PrintError(batch_files.status().message());
    return 2;
  }
  batch.batch_files = static_cast<size_t>(*batch_files);
  indexer::IndexOptions options;
  auto ocr = ingest::ParseOcrMode(args->Get("--ocr", "auto"));
  auto ocr_threads = args->GetInt("--ocr-threads", 1, 1, 256);
  if (!ocr.ok() || !ocr_threads.ok()) {
    PrintError(!ocr.ok() ? ocr.status().message() : ocr_threads.status().message());
    return 2;
  }
  options.limits.ocr.mode = *ocr;
  options.limits.ocr.threads = static_cast<int>(*ocr_threads);
  if (args->positional.empty() && !args->Has("--embed-model")) {
    PrintError("add needs at least one file or folder (or --embed-model to embed the store)");
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  // Locally, adding into a workspace creates it.
  auto ws = OpenWorkspace(**store, *args, /*create=*/true);
  if (!ws.ok()) {
    PrintError(ws.status().message());
    return ws.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  options.workspace_id = ws->id;
  std::vector<std::filesystem::path> inputs(args->positional.begin(), args->positional.end());
  std::vector<indexer::FileResult> problems;
  std::vector<std::filesystem::path> files = indexer::CollectFiles(inputs, &problems);
  uint64_t total_bytes = 0;
  for (const auto& f : files) {
    std::error_code ec;
    uint64_t sz = std::filesystem::file_size(f, ec);
    if (!ec) total_bytes += sz;
  }
  Progress progress(files.size(), total_bytes, isatty(STDERR_FILENO) && !args->Has("--quiet"));
  size_t counts[5] = {0, 0, 0, 0, 0};
  for (const auto& p : problems) {
    progress.Report(p);
    ++counts[static_cast<int>(p.outcome)];
  }
  if (!args->Has("--quiet")) {
    options.on_ocr_page = [&progress](const std::string& name, int done, int total) {
      progress.OcrPage(name, done, total);
    };
  }
  const Status run =
      indexer::IndexFiles(**store, files, options, batch, [&](const indexer::FileResult& r) {
        progress.Report(r);
        ++counts[static_cast<int>(r.outcome)];
      });
  if (!run.ok()) {
    PrintError(run.ToString());
    return 1;
  }
  if (!files.empty() || !problems.empty()) {
    progress.Finish(counts[0], counts[1], counts[2], counts[3], counts[4]);
  }
  // Chunk vectors: with --embed-model, or the store's recorded model.
  if (Status st = EmbedChunks(**store, *args); !st.ok()) {
    PrintError(st.ToString());
    return 1;
  }
  return counts[static_cast<int>(indexer::Outcome::kFailed)] ? 1 : 0;
}

}  // namespace docent::cli
