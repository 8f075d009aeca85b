// Offsets by alignment (see offsets.h for the rules).
#include "tokenizers/offsets.h"

#include <cstdlib>

#include "tokenizers/byte_level.h"
#include "tokenizers/offset_trimming.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

AlignedText normalize_aligned(const Normalizer* normalizer, std::string_view original, uint32_t base) {
  AlignedText out;
  if (!normalizer) {
    out.text = std::string(original);
    for (uint32_t i = 0; i < original.size(); ++i) {
      // Every byte of a character maps to the whole character.
      uint32_t b = i;
      while (b > 0 && (static_cast<unsigned char>(original[b]) & 0xC0) == 0x80) --b;
      uint32_t e = b + static_cast<uint32_t>(utf8_len(static_cast<unsigned char>(original[b])));
      out.source.push_back({base + b, base + e});
    }
    return out;
  }
  out.text = std::string(original);
  normalizer->normalize(out.text);
  const std::string& whole = out.text;
  out.source.assign(whole.size(), ByteSpan{base, base});
  std::vector<bool> claimed(whole.size(), false);
  size_t cursor = 0, i = 0;
  std::string piece;
  while (i < original.size()) {
    const size_t b = i;
    next_cp(original, i);
    piece.assign(original.substr(b, i - b));
    normalizer->normalize(piece);
    // A normalizer that adds text (Prepend) adds it to every lone character: then only the
    // piece's tail is this character's.
    size_t skip = 0;
    while (skip < piece.size() && whole.compare(cursor, piece.size() - skip, piece, skip) != 0) {
      ++skip;
      while (skip < piece.size() && (static_cast<unsigned char>(piece[skip]) & 0xC0) == 0x80) ++skip;
    }
    if (skip == piece.size()) {
      // A normalizer that acts on the whole text only (Strip removes edge spaces, not every
      // space) changes a lone character that the whole text keeps as it is.
      const std::string_view raw = original.substr(b, i - b);
      if (whole.compare(cursor, raw.size(), raw) != 0) continue;  // removed (Strip, a collapsing Replace, a control character)
      piece.assign(raw);
      skip = 0;
    }
    piece.erase(0, skip);
    for (size_t k = 0; k < piece.size(); ++k) {
      out.source[cursor + k] = {base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(i)};
      claimed[cursor + k] = true;
    }
    cursor += piece.size();
  }
  // Inserted bytes belong to the character before them; at the start (Prepend), to the first
  // character, as tokenizers' NormalizedString::prepend aligns them.
  for (size_t k = 0; k < whole.size(); ++k)
    if (!claimed[k]) {
      if (k > 0) out.source[k] = out.source[k - 1];
      else {
        size_t n = 0;
        while (n < whole.size() && !claimed[n]) ++n;
        out.source[k] = n < whole.size() ? out.source[n] : ByteSpan{base, base};
      }
    }
  return out;
}

namespace {

// Does piece character `c` (UTF-8 at piece[pb, pe)) stand for normalized[at...]? Returns the
// normalized bytes it covers (0 = no).
size_t match_char(std::string_view piece, size_t pb, size_t pe, char32_t c, std::string_view norm, size_t at) {
  if (at >= norm.size()) return 0;
  if (norm.compare(at, pe - pb, piece.substr(pb, pe - pb)) == 0) return pe - pb;
  const auto& t = byte_level_table();
  if (c < t.char_to_byte.size() && t.char_to_byte[c] >= 0 && static_cast<unsigned char>(norm[at]) == t.char_to_byte[c])
    return 1;  // ByteLevel: one mapped byte
  if (c == U'\u2581' && norm[at] == ' ') return 1;  // Metaspace's ▁ for a space
  return 0;
}

}  // namespace

std::vector<ByteSpan> align_piece(std::string_view piece, std::string_view norm, size_t& cursor) {
  std::vector<ByteSpan> spans(piece.size());
  size_t i = 0;
  bool first = true;
  while (i < piece.size()) {
    const size_t b = i;
    const char32_t c = next_cp(piece, i);
    size_t n = match_char(piece, b, i, c, norm, cursor);
    // Pre-tokenizers drop whitespace between pieces: skip it before the piece's first character.
    while (first && n == 0 && cursor < norm.size()) {
      size_t j = cursor;
      if (!is_whitespace(next_cp(norm, j))) break;
      cursor = j;
      n = match_char(piece, b, i, c, norm, cursor);
    }
    first = false;
    const ByteSpan s{static_cast<uint32_t>(cursor), static_cast<uint32_t>(cursor + n)};  // n = 0: inserted
    for (size_t k = b; k < i; ++k) spans[k] = s;
    cursor += n;
  }
  // A prepended space or ▁ (ByteLevel's add_prefix_space, Metaspace's prepend_scheme) shares the
  // span of the piece's first real character (NormalizedString::prepend): a "▁" token of its own
  // covers that character, as the next token does.
  size_t head = 0;
  while (head < spans.size() && spans[head].first == spans[head].second) ++head;
  if (head < spans.size())
    for (size_t k = 0; k < head; ++k) spans[k] = spans[head];
  return spans;
}

std::vector<ByteSpan> align_tokens(const Model& model, std::string_view word, std::span<const int32_t> ids) {
  const std::string_view prefix = model.continuing_prefix(), suffix = model.end_of_word_suffix();
  auto text_of = [&](size_t k) -> std::string_view {
    const std::string* tok = model.id_to_token(ids[k]);
    std::string_view t = tok ? std::string_view(*tok) : std::string_view();
    if (k > 0 && !prefix.empty() && t.substr(0, prefix.size()) == prefix) t.remove_prefix(prefix.size());
    if (!suffix.empty() && t.size() >= suffix.size() && t.substr(t.size() - suffix.size()) == suffix)
      t.remove_suffix(suffix.size());
    return t;
  };
  auto byte_token = [](std::string_view t) {  // "<0xNN>" → NN, else -1
    if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
    return static_cast<int>(std::strtol(std::string(t.substr(3, 2)).c_str(), nullptr, 16));
  };
  std::vector<ByteSpan> spans;
  size_t at = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    const std::string_view t = text_of(k);
    size_t len = 0;
    if (!t.empty() && word.compare(at, t.size(), t) == 0) len = t.size();
    else if (int b = byte_token(t); b >= 0 && at < word.size() && static_cast<unsigned char>(word[at]) == b) len = 1;
    else {
      // An unknown token: up to where the next token's text starts, or the end of the word.
      size_t stop = word.size();
      if (k + 1 < ids.size())
        if (std::string_view next = text_of(k + 1); !next.empty())
          if (size_t f = word.find(next, at + 1); f != std::string_view::npos) stop = f;
      len = stop > at ? stop - at : 0;
    }
    spans.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(at + len)});
    at += len;
  }
  return spans;
}

bool trim_keeps_prefix_space(const json& post_processor, const json& tokenizer_config) {
  std::string cls = tokenizer_config.is_object() ? tokenizer_config.value("tokenizer_class", "") : "";
  if (cls.ends_with("Fast")) cls.resize(cls.size() - 4);
  if (cls == "RobertaTokenizer" || cls == "BartTokenizer" || cls == "LongformerTokenizer") {
    const json v = tokenizer_config.value("add_prefix_space", json(false));
    return v.is_boolean() && v.get<bool>();
  }
  if (!post_processor.is_object()) return false;
  const std::string type = post_processor.value("type", "");
  if (type == "ByteLevel" || type == "RobertaProcessing") {
    const json v = post_processor.value("add_prefix_space", json(true));
    return v.is_boolean() ? v.get<bool>() : true;
  }
  if (type == "Sequence" && post_processor.contains("processors") && post_processor["processors"].is_array())
    for (const json& p : post_processor["processors"])
      if (p.is_object() && (p.value("type", "") == "ByteLevel" || p.value("type", "") == "RobertaProcessing"))
        return trim_keeps_prefix_space(p, json());
  return false;
}

}  // namespace hf::tok
