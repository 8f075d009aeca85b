#pragma once
// hf::json, the one third-party type of the public API: pipeline results, chat-template contexts
// and tokenizer configs are JSON shaped as in Python. `ordered_json` keeps keys in the order
// written, as Python's dicts do (chat templates that print dicts and tokenizer configs depend on
// it). nlohmann-json is therefore a public dependency of hfcpp (see docs/ARCHITECTURE.md).
#include <nlohmann/json.hpp>

namespace hf {

using json = nlohmann::ordered_json;

}  // namespace hf
