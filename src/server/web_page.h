#pragma once
// The chat page served at GET / (src/server/web/chat.html), compiled into the binary so that it
// works on an air-gapped machine: no CDN, no external font or script.
#include <string>

namespace hf::server {

const std::string& chat_page();

}  // namespace hf::server
