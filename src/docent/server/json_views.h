// The JSON shape of an upload job. The shapes of passages, documents and answers, which the
// command line shares, are in answer/answer_views.h.
#pragma once

#include <nlohmann/json.hpp>

#include "docent/server/ingest_queue.h"

namespace docent::server {

nlohmann::json JobView(const JobInfo& j);

}  // namespace docent::server
