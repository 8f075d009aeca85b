#pragma once
// The tokenizer.json engine: one TokenizerImpl built from tokenizer.json (+ tokenizer_config.json).
#include <filesystem>
#include <memory>

#include "hf/tokenizer.h"

namespace hf::tok {

// tokenizer_config.json → TokenizerConfig (special tokens as strings or AddedToken objects,
// model_max_length, padding/truncation side, chat_template string or list of {name, template}).
TokenizerConfig parse_tokenizer_config(const json& j);

// Loads tokenizer.json; config_path may be empty (no tokenizer_config.json). Errors are
// hf::TokenizerError / hf::FileError naming the file and JSON path.
std::shared_ptr<const TokenizerImpl> load_tokenizer_json(const std::filesystem::path& tokenizer_json,
                                                         const std::filesystem::path& config_path = {});
// The same from strings in memory (tests): `config` may be null.
std::shared_ptr<const TokenizerImpl> tokenizer_from_json_text(std::string tokenizer_json, const json& config,
                                                              const std::string& name = "tokenizer.json");

// transformers' clean_up_tokenization: " ." → ".", " ?" → "?", " !" → "!", " ," → ",", " ' " → "'",
// " n't" → "n't", " 'm" → "'m", " 's" → "'s", " 've" → "'ve", " 're" → "'re".
std::string clean_up_tokenization(std::string s);

}  // namespace hf::tok
