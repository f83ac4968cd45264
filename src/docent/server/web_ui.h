// The web UI's single page, compiled into the binary from server/web/index.html (no CDN, no
// network, no build step that downloads).
#pragma once

#include <string_view>

namespace docent::server {

std::string_view WebUiHtml();

}  // namespace docent::server
