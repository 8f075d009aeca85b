#pragma once
// Errors: one exception type per failure kind, each carrying where (file, tensor, JSON path...)
// and what. The CLI prints what() as one line and exits non-zero; library users catch hf::Error.
#include <stdexcept>
#include <string>

#include "hf/export.h"

namespace hf {

class HF_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file is missing, unreadable, or not what its name promises (truncated, corrupt header...).
class HF_API FileError : public Error { using Error::Error; };
// A config.json / generation_config.json / tokenizer_config.json value we cannot use.
class HF_API ConfigError : public Error { using Error::Error; };
// tokenizer.json is malformed or uses a component we do not implement; bad ids in decode.
class HF_API TokenizerError : public Error { using Error::Error; };
// A chat template fails to parse or raises while rendering (raise_exception included).
class HF_API TemplateError : public Error { using Error::Error; };
// The Hub or the local cache cannot provide a file (not found, gated, offline, network...).
class HF_API HubError : public Error { using Error::Error; };
// A caller's argument is invalid: empty messages, prompt longer than the context, temperature <= 0...
class HF_API InputError : public Error { using Error::Error; };
// A model's weights or architecture cannot be used (unsupported model_type, missing tensor...).
class HF_API ModelError : public Error { using Error::Error; };

}  // namespace hf
