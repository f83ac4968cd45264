// Server-sent events for a streamed answer. The order is the contract a generative model
// will keep too: `citations` (the numbered candidate sources) first, then `delta` events
// carrying answer text, then `done` with the citations the text actually used and timings.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httplib {
struct Response;
}

namespace docent::server {

// "event: NAME\ndata: JSON\n\n"; the JSON is one line, so one data field suffices.
std::string SseEvent(std::string_view name, const nlohmann::json& data);

// Sends its argument; false once the client has gone.
using StreamWriter = std::function<bool(const std::string& bytes)>;

// Answers with a text/event-stream written by `next` on the HTTP thread: called again and
// again, it writes what is ready (waiting a little for more) and returns false after the
// last event. A client that hangs up, noticed on a failed write or between calls, gets
// `on_client_gone` (cancel the work) and no more calls.
void StreamResponse(httplib::Response& res, std::function<bool(const StreamWriter&)> next,
                    std::function<void()> on_client_gone,
                    const char* content_type = "text/event-stream");

// Answers with one JSON body that takes a while (a model writing), noticing a client that
// hangs up meanwhile (then `on_client_gone`, and the work stops): `poll()` waits a little and
// returns the body once it is ready, nullopt until then. The status line goes out first, as
// 200, so a failure found later (the model's) comes in the body, in the error shape.
void DeferredJsonResponse(httplib::Response& res, std::function<std::optional<std::string>()> poll,
                          std::function<void()> on_client_gone);

}  // namespace docent::server
