// TextStreamer and CallbackStreamer: transformers' flush rules (hf-semantics §1.2), on UTF-8
// bytes, never cutting inside a character.
#include <iostream>

#include "hf/error.h"
#include "generation/vocab_ids.h"
#include "hf/streamers.h"

namespace hf {

namespace {

// The last code point of a UTF-8 string (0 when empty).
char32_t last_code_point(const std::string& s) {
  if (s.empty()) return 0;
  size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + i);
  const size_t n = s.size() - i;
  if (p[0] < 0x80) return p[0];
  if ((p[0] & 0xE0) == 0xC0 && n >= 2) return ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
  if ((p[0] & 0xF0) == 0xE0 && n >= 3) return ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  if ((p[0] & 0xF8) == 0xF0 && n >= 4)
    return ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  return 0xFFFD;
}

// transformers' _is_chinese_char: CJK ideographs only (not kana, hangul or CJK punctuation).
bool is_chinese_char(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves `i` back to the start of the character it points into.
size_t char_start(const std::string& s, size_t i) {
  while (i > 0 && i < s.size() && is_continuation(s[i])) --i;
  return i;
}

}  // namespace

TextStreamer::TextStreamer(Tokenizer tokenizer, TextStreamerOptions options, std::ostream* out)
    : tok_(std::move(tokenizer)), opts_(options), out_(out ? out : &std::cout) {
  decode_.skip_special_tokens = opts_.skip_special_tokens;
  decode_.clean_up_tokenization_spaces = opts_.clean_up_tokenization_spaces;
}

void TextStreamer::put(std::span<const int32_t> ids, int batch) {
  if (batch > 1) throw InputError("TextStreamer only supports batch size 1 (got " + std::to_string(batch) + " rows)");
  if (opts_.skip_prompt && next_tokens_are_prompt_) {
    next_tokens_are_prompt_ = false;
    return;
  }
  token_cache_.insert(token_cache_.end(), ids.begin(), ids.end());
  const std::string text = tok_.decode(generation::ids_in_vocabulary(tok_, token_cache_), decode_);
  const size_t from = char_start(text, std::min(print_len_, text.size()));
  std::string printable;
  if (!text.empty() && text.back() == '\n') {
    printable = text.substr(from);
    token_cache_.clear();
    print_len_ = 0;
  } else if (const char32_t last = last_code_point(text); is_chinese_char(last)) {
    printable = text.substr(from);
    print_len_ = from + printable.size();
  } else {
    // Up to and including the last ASCII space: a word may still grow, and a trailing U+FFFD (an
    // unfinished multi-byte character) always lies after it, so it is held back too.
    const size_t cut = text.rfind(' ');
    const size_t upto = cut == std::string::npos ? 0 : cut + 1;
    if (upto > from) printable = text.substr(from, upto - from);
    print_len_ = std::max(print_len_, from + printable.size());
  }
  on_finalized_text(printable, false);
}

void TextStreamer::end() {
  std::string printable;
  if (!token_cache_.empty()) {
    const std::string text = tok_.decode(generation::ids_in_vocabulary(tok_, token_cache_), decode_);
    printable = text.substr(char_start(text, std::min(print_len_, text.size())));
    token_cache_.clear();
    print_len_ = 0;
  }
  next_tokens_are_prompt_ = true;
  on_finalized_text(printable, true);
}

void TextStreamer::on_finalized_text(const std::string& text, bool stream_end) {
  *out_ << text;
  if (stream_end) *out_ << '\n';
  out_->flush();
}

CallbackStreamer::CallbackStreamer(Tokenizer tokenizer, Callback callback, TextStreamerOptions options)
    : TextStreamer(std::move(tokenizer), options), callback_(std::move(callback)) {}

void CallbackStreamer::on_finalized_text(const std::string& text, bool stream_end) {
  if (callback_) callback_(text, stream_end);
}

}  // namespace hf
