#pragma once
// Fast loading of tokenizer.json. A Qwen tokenizer.json is 11 MB, almost all of it model.vocab
// (151k entries) and model.merges (151k pairs); a DOM of that costs ~250 ms in nlohmann. So a
// structural scan finds those two values, the rest (a few KB) goes through nlohmann, and the
// two big values are read by the small dedicated parsers below, straight into vectors.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"

namespace hf::tok {

struct TokenizerJson {
  std::string text;              // the file; vocab_text / merges_text point into it
  json doc;                      // the document, model.vocab / model.merges set to null if split out
  std::string_view vocab_text;   // raw JSON of model.vocab ("" if it stayed in doc)
  std::string_view merges_text;  // raw JSON of model.merges ("" if it stayed in doc)
};

// Parses `text` (the content of `filename`); malformed JSON is hf::TokenizerError with the byte
// offset.
TokenizerJson parse_tokenizer_json(std::string text, const std::string& filename);

// Dedicated readers, calling fn for each entry (string views are valid during the call only);
// hf::TokenizerError naming `path` on malformed input.
// {"token": id, ...}
void read_vocab_object(std::string_view text, const std::string& path,
                       const std::function<void(std::string_view token, int64_t id)>& fn);
// [["piece", score], ...]
void read_scored_vocab(std::string_view text, const std::string& path,
                       const std::function<void(std::string_view piece, double score)>& fn);
// ["a b", ...] or [["a", "b"], ...]
void read_merges(std::string_view text, const std::string& path,
                 const std::function<void(std::string_view a, std::string_view b)>& fn);

}  // namespace hf::tok
