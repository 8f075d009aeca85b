#pragma once
// Decoder builders; make_decoder() (factory.cpp) dispatches on "type".
#include <memory>
#include <string>

#include "tokenizers/json_util.h"
#include "tokenizers/pipeline.h"

namespace hf::tok {

std::unique_ptr<Decoder> make_byte_level_decoder();
std::unique_ptr<Decoder> make_metaspace_decoder(const json& j, const std::string& path);
std::unique_ptr<Decoder> make_byte_fallback_decoder();
std::unique_ptr<Decoder> make_fuse_decoder();
std::unique_ptr<Decoder> make_strip_decoder(const json& j, const std::string& path);
std::unique_ptr<Decoder> make_replace_decoder(const json& j, const std::string& path);
std::unique_ptr<Decoder> make_wordpiece_decoder(const json& j, const std::string& path);
std::unique_ptr<Decoder> make_bpe_decoder(const json& j, const std::string& path);
std::unique_ptr<Decoder> make_ctc_decoder(const json& j, const std::string& path);

// The WordPiece decoder's per-token cleanup (" ." → ".", " do not" → " don't", ...).
std::string wordpiece_cleanup(std::string s);
// Replaces every occurrence of `from` (non-empty) in s by `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace hf::tok
