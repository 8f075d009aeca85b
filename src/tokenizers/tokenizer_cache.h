#pragma once
// What Tokenizer handles share besides the implementation: compiled chat templates.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "hf/chat_template.h"
#include "hf/tokenizer.h"

namespace hf {

struct Tokenizer::Cache {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const ChatTemplate>> compiled;
};

}  // namespace hf
