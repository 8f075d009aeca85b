// Embeds src/server/web/chat.html: the file is an HTML page wrapped in a C++ raw string literal
// (its first and last lines), so the build needs no generator step.
#include "server/web_page.h"

namespace hf::server {

const std::string& chat_page() {
  static const std::string page =
#include "server/web/chat.html"
      ;
  return page;
}

}  // namespace hf::server
