#pragma once
// MarianTokenizer (transformers' tokenization_marian.py, the opus-mt models): two SentencePiece
// models (source.spm encodes, target.spm decodes) and one piece → id map, vocab.json, shared by
// encoder and decoder (or target_vocab.json for the decoder when separate_vocabs is true).
// The SentencePiece models' own ids are never used: every piece goes through vocab.json.
#include <filesystem>
#include <memory>

#include "hf/tokenizer.h"

namespace hf {

// Loads a Marian folder: source.spm, target.spm, vocab.json (+ target_vocab.json with
// separate_vocabs), tokenizer_config.json and special_tokens_map.json when present.
// A missing or unreadable file is an hf::TokenizerError naming it.
Tokenizer load_marian_tokenizer(const std::filesystem::path& dir);
// The implementation behind it (for code that works on TokenizerImpl directly).
std::shared_ptr<const TokenizerImpl> make_marian_tokenizer(const std::filesystem::path& dir);

// True when `dir` is a Marian tokenizer folder: source.spm / target.spm is there, or
// tokenizer_config.json names MarianTokenizer, or config.json says model_type "marian" and there
// is no tokenizer.json.
bool is_marian_tokenizer_dir(const std::filesystem::path& dir);

}  // namespace hf
