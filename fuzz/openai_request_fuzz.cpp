// libFuzzer target: the body of POST /v1/chat/completions and /v1/completions, parsed into a
// CompletionRequest as the server does. Every input must parse or be refused with an ApiError
// whose JSON error body serializes (the server sends it as is: a message quoting bytes of the
// request must still be valid UTF-8 JSON). Anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/api_error.h"
#include "server/openai_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (auto endpoint : {hf::server::Endpoint::Chat, hf::server::Endpoint::Completions}) {
    try {
      hf::server::CompletionRequest r = hf::server::parse_completion_request(body, endpoint);
      (void)r.messages.dump();
    } catch (const hf::server::ApiError& e) {
      (void)e.body().dump();
    }
  }
  return 0;
}
