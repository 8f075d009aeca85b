#pragma once
// The offsets mapping, recovered by aligning each stage's output with its input (the components
// transform plain strings; see pipeline.h):
//   normalizer: each character is normalized on its own and the pieces are matched against the
//     normalization of the whole text (a character whose piece is not found was removed, as
//     Strip or a collapsing Replace do; bytes nobody claims belong to the character before);
//   pre-tokenizer: each piece's characters are found in the normalized text (ByteLevel's mapped
//     bytes and Metaspace's ▁ map back to the byte they stand for; a prepended space or ▁ shares
//     the span of the first character after it, as tokenizers' NormalizedString::prepend);
//   model: each token covers its text within the word (prefix/suffix stripped; <0xNN> one byte;
//     an unknown token the stretch up to the next token's text).
// Offsets are byte ranges of the original text here; the public API turns them into characters.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizers/pipeline.h"

namespace hf::tok {

using ByteSpan = std::pair<uint32_t, uint32_t>;

// A normalized text and, per byte of it, the byte range of the original it came from.
struct AlignedText {
  std::string text;
  std::vector<ByteSpan> source;
};

// normalizer may be null (identity). `base` is added to every source offset.
AlignedText normalize_aligned(const Normalizer* normalizer, std::string_view original, uint32_t base);

// For each byte of `piece` (one pre-tokenized piece), the byte range of `normalized` it stands
// for, searching from `cursor` (advanced past the piece).
std::vector<ByteSpan> align_piece(std::string_view piece, std::string_view normalized, size_t& cursor);

// The byte range of `word` each of `ids` covers.
std::vector<ByteSpan> align_tokens(const Model& model, std::string_view word, std::span<const int32_t> ids);

}  // namespace hf::tok
