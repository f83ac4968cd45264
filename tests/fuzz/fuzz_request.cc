// libFuzzer target: hostile request input through the server's request checks — JSON
// bodies and their fields, path ids and upload file names — and the JSON views that echo
// them back. None may crash, and every accepted value must honour its check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "docent/answer/answer_views.h"
#include "docent/server/request_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace docent::server;
  auto body = ParseJsonObject("application/json", in, 1 << 20);
  if (body.ok()) {
    auto q = RequiredString(*body, "query", 4096);
    if (q.ok() && (q->empty() || q->size() > 4096)) std::abort();
    auto k = OptionalInt(*body, "k", 10, 1, 100);
    if (k.ok() && (*k < 1 || *k > 100)) std::abort();
    (void)OptionalBool(*body, "stream", false);
    (void)docent::answer::Dump(*body);
  }
  (void)ParseId(in, "document");
  if (CheckUploadName(in).ok() && (in.empty() || in.find('/') != std::string_view::npos)) {
    std::abort();
  }
  return 0;
}
