// The JSON view of an upload job (json_views.h).
#include "docent/server/json_views.h"

namespace docent::server {

nlohmann::json JobView(const JobInfo& j) {
  nlohmann::json out = {{"job", j.id},
                        {"workspace", j.workspace},
                        {"name", j.name},
                        {"size_bytes", j.bytes},
                        {"status", std::string(JobStateName(j.state))},
                        {"warnings", j.warnings}};
  out["id"] = j.state == JobState::kReady ? nlohmann::json(j.doc_id) : nlohmann::json(nullptr);
  if (j.state == JobState::kReady) out["chunks"] = j.chunks;
  if (j.state == JobState::kFailed) out["error"] = j.message;
  if (j.pages_total > 0) {  // a scanned document: how far OCR has read it
    out["pages_done"] = j.pages_done;
    out["pages_total"] = j.pages_total;
  }
  return out;
}

}  // namespace docent::server
