# Writes OUT, a C++ file whose WebUiHtml() returns the bytes of IN (the web UI), so the page
# ships inside the binary. Run by the build whenever IN changes.
file(READ "${IN}" content)
string(FIND "${content}" ")DOCENTUI\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )DOCENTUI\"")
endif()
file(WRITE "${OUT}" "// Generated from src/docent/server/web/index.html by cmake/embed_web_ui.cmake; do not edit.
#include \"docent/server/web_ui.h\"

namespace docent::server {

std::string_view WebUiHtml() {
  static constexpr char kHtml[] = R\"DOCENTUI(${content})DOCENTUI\";
  return {kHtml, sizeof kHtml - 1};
}

}  // namespace docent::server
")
