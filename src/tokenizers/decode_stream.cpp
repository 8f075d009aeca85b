// DecodeStream: incremental decoding that returns only final text.
//
// The ids since the last safe point form a window; after each id the window is decoded again
// and the part of that text beyond what was already returned is returned, except a tail that may
// still change: a trailing U+FFFD (an incomplete UTF-8 character: its next bytes may be in the
// next token) and, with clean_up_tokenization_spaces, a trailing " ", " n", " '"... that the
// next token could complete into a pattern clean-up rewrites. When everything has been
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

DecodeStream::DecodeStream(Tokenizer tokenizer, DecodeOptions options) : tok_(std::move(tokenizer)), opts_(options) {
  clean_up_ = opts_.clean_up_tokenization_spaces.value_or(tok_.clean_up_tokenization_spaces());
}

std::string DecodeStream::put(int32_t id) {
  window_.push_back(id);
  std::string text = tok_.decode(window_, opts_);
  size_t stable = text.size();
  // An incomplete character at the end: wait for its next bytes.
  while (stable >= kReplacement.size() && std::string_view(text).substr(stable - kReplacement.size(), kReplacement.size()) == kReplacement)
    stable -= kReplacement.size();
  if (stable == text.size() && clean_up_) stable -= cleanup_hold(text);
  std::string out;
  if (stable > emitted_) {
    out = text.substr(emitted_, stable - emitted_);
    emitted_ = stable;
  }
  if (emitted_ == text.size() && window_.size() > 1) {
    window_.erase(window_.begin(), window_.end() - 1);
    emitted_ = tok_.decode(window_, opts_).size();
  }
  return out;
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
