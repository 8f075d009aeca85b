// libFuzzer target: tokenizer.json. Every input must either load or fail with hf::Error; a
// tokenizer that loads must then encode and decode a mixed text without failing otherwise.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hf/error.h"
#include "tokenizers/tokenizer_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto tok = hf::tok::tokenizer_from_json_text(std::move(text), hf::json());
    auto ids = tok->encode("Hello, world! 你好 <|im_start|>user\n  tabs\there 123", true);
    tok->decode(ids, false, true);
    tok->decode(ids, true, false);
  } catch (const hf::Error&) {
  }
  return 0;
}
