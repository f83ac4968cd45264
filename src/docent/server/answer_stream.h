// Server-sent events for a streamed answer. The order is the contract a generative model
// will keep too: `citations` (the numbered candidate sources) first, then `delta` events
// carrying answer text, then `done` with the citations the text actually used and timings.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace docent::server {

// "event: NAME\ndata: JSON\n\n"; the JSON is one line, so one data field suffices.
std::string SseEvent(std::string_view name, const nlohmann::json& data);

// The answer text cut into the pieces sent as deltas: one per sentence with its citation
// marker, so a marker never arrives split.
std::vector<std::string> DeltaPieces(const std::string& text);

}  // namespace docent::server
