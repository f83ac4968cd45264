// SSE framing and delta cutting.
#include "docent/server/answer_stream.h"

#include <httplib.h>

#include "docent/answer/answer_views.h"

namespace docent::server {
using answer::Dump;

std::string SseEvent(std::string_view name, const nlohmann::json& data) {
  std::string out = "event: ";
  out += name;
  out += "\ndata: ";
  out += Dump(data);
  out += "\n\n";
  return out;
}

void StreamResponse(httplib::Response& res, std::function<bool(const StreamWriter&)> next,
                    std::function<void()> on_client_gone, const char* content_type) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // no proxy buffering: tokens show as they come
  res.set_chunked_content_provider(
      content_type, [next = std::move(next), gone = std::move(on_client_gone), finished = false](
                        size_t, httplib::DataSink& sink) mutable {
        if (finished) {
          sink.done();
          return true;
        }
        bool failed = false;
        const StreamWriter write = [&](const std::string& bytes) {
          if (!failed && sink.write(bytes.data(), bytes.size())) return true;
          failed = true;
          return false;
        };
        const bool more = next(write);
        if (failed || !sink.is_writable()) {
          gone();
          return false;
        }
        finished = !more;
        return true;
      });
}

void DeferredJsonResponse(httplib::Response& res, std::function<std::optional<std::string>()> poll,
                          std::function<void()> on_client_gone) {
  StreamResponse(
      res,
      [poll = std::move(poll)](const StreamWriter& write) {
        std::optional<std::string> body = poll();
        if (!body) return true;
        write(*body);
        return false;
      },
      std::move(on_client_gone), "application/json");
}

}  // namespace docent::server
