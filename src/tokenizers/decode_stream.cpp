// DecodeStream: incremental decoding that returns only final text.
//
// The ids since the last safe point form a window; after each id the window is decoded again
// and the part of that text beyond what was already returned is returned, except a tail that may
// still change: a trailing U+FFFD (an incomplete UTF-8 character: its next bytes may be in the
// next token) and, with clean_up_tokenization_spaces, a trailing " ", " n", " '"... that the
// next token could complete into a pattern clean-up rewrites; and a run of <0xNN> byte tokens
// (ByteFallback decodes a run as a whole, so its text is final only when the run ends). When everything has been
// returned, the window shrinks to its last id (kept as left context: decoders treat the first
// token specially, e.g. Metaspace and Strip drop its leading space).
#include <array>

#include "hf/tokenizer.h"

namespace hf {

namespace {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// transformers' clean_up_tokenization patterns: a text ending with a proper prefix of one of
// them may still change.
size_t cleanup_hold(std::string_view t) {
  static const std::array<std::string_view, 10> kPatterns = {" .", " ?", " !", " ,", " ' ", " n't", " 'm", " 's", " 've", " 're"};
  size_t hold = 0;
  for (std::string_view p : kPatterns)
    for (size_t len = 1; len < p.size(); ++len)
      if (len <= t.size() && t.compare(t.size() - len, len, p.substr(0, len)) == 0) hold = std::max(hold, len);
  return hold;
}
}  // namespace

bool DecodeStream::is_byte_token(int32_t id) const {
  std::string t = tok_.id_to_token(id);
  return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>';
}

DecodeStream::DecodeStream(Tokenizer tokenizer, DecodeOptions options) : tok_(std::move(tokenizer)), opts_(options) {
  clean_up_ = opts_.clean_up_tokenization_spaces.value_or(tok_.clean_up_tokenization_spaces());
}

std::string DecodeStream::put(int32_t id) {
  // decode() drops these: keeping them out of the window keeps the left context a real token.
  if (opts_.skip_special_tokens && tok_.is_special_id(id)) {
    tok_.decode(std::span<const int32_t>(&id, 1), opts_);  // still reject an id out of range
    return "";
  }
  window_.push_back(id);
  std::string text = tok_.decode(window_, opts_);
  size_t stable = text.size();
  // An incomplete character at the end: wait for its next bytes.
  while (stable >= kReplacement.size() && std::string_view(text).substr(stable - kReplacement.size(), kReplacement.size()) == kReplacement)
    stable -= kReplacement.size();
  if (stable == text.size() && clean_up_) stable -= cleanup_hold(text);
  // ByteFallback decodes a run of <0xNN> tokens as a whole (invalid → one U+FFFD per token), so a
  // later byte token can change the text of the whole run: hold it until the run ends.
  size_t run = 0;
  while (run < window_.size() && is_byte_token(window_[window_.size() - 1 - run])) ++run;
  if (run > 0) {
    size_t before = run == window_.size() ? 0 : tok_.decode(std::span<const int32_t>(window_.data(), window_.size() - run), opts_).size();
    stable = std::min(stable, before);
  }
  std::string out;
  if (stable > emitted_) {
    out = text.substr(emitted_, stable - emitted_);
    emitted_ = stable;
  }
  if (emitted_ == text.size() && window_.size() > 1) shrink();
  return out;
}

// Everything decoded so far has been returned: keep only the shortest tail of the window that
// decodes cleanly on its own (no U+FFFD: byte tokens of one character stay together) as left
// context for the next ids.
void DecodeStream::shrink() {
  constexpr size_t kMaxContext = 8, kMaxWindow = 256;
  for (size_t k = 1; k <= std::min(kMaxContext, window_.size() - 1); ++k) {
    std::span<const int32_t> tail(window_.data() + window_.size() - k, k);
    std::string t = tok_.decode(tail, opts_);
    if (t.find(kReplacement) == std::string::npos) {
      window_.erase(window_.begin(), window_.end() - k);
      emitted_ = t.size();
      return;
    }
  }
  if (window_.size() > kMaxWindow) {  // invalid bytes everywhere: give up the context
    window_.erase(window_.begin(), window_.end() - 1);
    emitted_ = tok_.decode(window_, opts_).size();
  }
}

std::string DecodeStream::finish() {
  std::string out;
  if (!window_.empty()) {
    std::string text = tok_.decode(window_, opts_);
    if (text.size() > emitted_) out = text.substr(emitted_);
  }
  window_.clear();
  emitted_ = 0;
  return out;
}

}  // namespace hf
