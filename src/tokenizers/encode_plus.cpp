// Tokenizer::encode_plus: a text or a pair with type ids, the offsets mapping, word and sequence
// ids, and truncation into overflowing windows, as the Rust tokenizers do it
// (utils/truncation.rs truncate_encodings, tokenizer/encoding.rs Encoding::truncate and
// merge_with, processors/template.rs).
#include <algorithm>

#include "hf/tokenizer.h"
#include "tokenizers/offset_trimming.h"
#include "tokenizers/unicode.h"

namespace hf {

std::vector<TokenizerImpl::TokenSpan> TokenizerImpl::encode_with_offsets(std::string_view) const {
  throw TokenizerError("this tokenizer cannot give the offsets mapping (only tokenizer.json tokenizers can)");
}

std::vector<TemplatePart> TokenizerImpl::special_tokens_layout(bool pair) const {
  if (!pair) return {TemplatePart{0, {}, 0}};
  return {TemplatePart{0, {}, 0}, TemplatePart{1, {}, 1}};
}

std::pair<int64_t, int64_t> Encoding::word_to_chars(int32_t word, int sequence) const {
  int64_t start = -1, end = -1;
  for (size_t i = 0; i < input_ids.size(); ++i)
    if (word_ids[i] == word && sequence_ids[i] == sequence) {
      if (start < 0) start = offsets[i].first;
      end = offsets[i].second;
    }
  return {start, end};
}

bool Tokenizer::returns_token_type_ids() const {
  const json& raw = config().raw;
  if (raw.contains("model_input_names") && raw["model_input_names"].is_array()) {
    for (const json& n : raw["model_input_names"])
      if (n == "token_type_ids") return true;
    return false;
  }
  std::string cls = raw.value("tokenizer_class", "");
  if (cls.size() > 4 && cls.compare(cls.size() - 4, 4, "Fast") == 0) cls.resize(cls.size() - 4);
  // transformers' tokenizer classes whose model_input_names are [input_ids, attention_mask].
  static const char* without[] = {"DistilBertTokenizer", "RobertaTokenizer", "XLMRobertaTokenizer", "CamembertTokenizer",
                                  "BartTokenizer",       "GPT2Tokenizer",    "MPNetTokenizer",      "LongformerTokenizer"};
  return std::none_of(std::begin(without), std::end(without), [&](const char* c) { return cls == c; });
}

namespace {

using Range = std::pair<size_t, size_t>;

// tokenizers' process_offsets (pre_tokenizers/byte_level.rs), the trim_offsets of ByteLevel and
// RobertaProcessing, in characters: the token's own leading and trailing spaces (Ġ, ByteLevel's
// space, or whitespace) leave its offsets, except a single leading one on the first token of a
// sequence or window (`first`: index 0, or offsets starting at 0) when the processor's
// add_prefix_space says it may be the space it added.
std::pair<int64_t, int64_t> trim_offsets(std::pair<int64_t, int64_t> o, std::string_view token, bool first, bool keep_prefix) {
  std::vector<char32_t> cps;
  for (size_t i = 0; i < token.size();) cps.push_back(tok::next_cp(token, i));
  auto space = [](char32_t c) { return c == U'\u0120' || tok::is_whitespace(c); };
  int64_t leading = 0, trailing = 0;
  while (leading < static_cast<int64_t>(cps.size()) && space(cps[leading])) ++leading;
  while (trailing < static_cast<int64_t>(cps.size()) && space(cps[cps.size() - 1 - trailing])) ++trailing;
  if (leading > 0) {
    if ((first || o.first == 0) && keep_prefix && leading == 1) leading = 0;
    o.first = std::min(o.first + leading, o.second);
  }
  if (trailing > 0 && o.second >= trailing) o.second = std::max(o.second - trailing, o.first);
  return o;
}

// Encoding::truncate: windows of max_len tokens, each starting max_len - stride after the last,
// up to the first that reaches the end.
std::vector<Range> windows(size_t len, size_t max_len, size_t stride) {
  if (max_len >= len) return {{0, len}};
  if (stride >= max_len)
    throw InputError("truncation: stride " + std::to_string(stride) + " must be strictly less than the " +
                     std::to_string(max_len) + " tokens left for the truncated text in each window");
  std::vector<Range> out;
  for (size_t start = 0;; start += max_len - stride) {
    const size_t stop = std::min(start + max_len, len);
    out.push_back({start, stop});
    if (stop == len) break;
  }
  return out;
}

// Byte offset → character index of `text` (a byte inside a character counts as its end).
std::vector<int64_t> char_index(std::string_view text) {
  std::vector<int64_t> idx(text.size() + 1);
  int64_t c = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++c;
    idx[i] = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 ? c : c + 1;
  }
  idx[text.size()] = c + 1;
  return idx;
}

struct Sequence {
  std::string_view text;
  std::vector<TokenizerImpl::TokenSpan> tokens;
  std::vector<int64_t> chars;
};

}  // namespace

std::vector<Encoding> Tokenizer::encode_plus(std::string_view text, const EncodePlusOptions& options) const {
  return encode_plus(text, std::string_view(), options);
}

std::vector<Encoding> Tokenizer::encode_plus(std::string_view text, std::string_view text_pair,
                                             const EncodePlusOptions& options) const {
  // A pair is given when text_pair points anywhere (even at ""); encode_plus(text) passes null.
  const bool pair = text_pair.data() != nullptr;
  const TokenizerImpl& im = impl();
  Sequence seq[2];
  seq[0] = {text, im.encode_with_offsets(text), char_index(text)};
  if (pair) seq[1] = {text_pair, im.encode_with_offsets(text_pair), char_index(text_pair)};
  std::vector<TemplatePart> layout = im.special_tokens_layout(pair);
  if (!options.add_special_tokens)
    layout.erase(std::remove_if(layout.begin(), layout.end(), [](const TemplatePart& p) { return p.sequence < 0; }), layout.end());
  size_t n_added = 0;
  for (const TemplatePart& p : layout) n_added += p.ids.size();

  std::vector<Range> ranges[2] = {{{0, seq[0].tokens.size()}}, {{0, seq[1].tokens.size()}}};
  const size_t max_length = options.max_length > 0 ? static_cast<size_t>(options.max_length)
                                                   : static_cast<size_t>(std::min<int64_t>(model_max_length(), int64_t(1) << 40));
  const size_t total = seq[0].tokens.size() + seq[1].tokens.size() + n_added;
  if (!options.truncation.empty() && total > max_length) {
    const size_t to_remove = total - max_length;
    const std::string& t = options.truncation;
    if (t != "longest_first" && t != "only_first" && t != "only_second")
      throw InputError("truncation: unknown strategy \"" + t + "\" (longest_first, only_first, only_second)");
    if (t == "only_second" && !pair) throw InputError("truncation: only_second needs a text pair");
    if (t == "longest_first" && pair) {
      // Shorten the longer text one token at a time (no windows for pairs).
      size_t n0 = seq[0].tokens.size(), n1 = seq[1].tokens.size();
      for (size_t r = 0; r < to_remove; ++r) (n0 > n1 ? n0 : n1) -= 1;
      ranges[0] = {{0, n0}};
      ranges[1] = {{0, n1}};
    } else {
      const int target = t == "only_second" ? 1 : 0;
      const size_t len = seq[target].tokens.size();
      if (len <= to_remove)
        throw InputError("truncation: the " + std::string(target ? "second" : "first") + " text has " + std::to_string(len) +
                         " tokens, too short to remove the " + std::to_string(to_remove) + " needed to fit max_length " +
                         std::to_string(max_length) + " (the other text and special tokens take too much)");
      ranges[target] = windows(len, len - to_remove, static_cast<size_t>(std::max(options.stride, 0)));
    }
  }
  if (!options.return_overflowing_tokens) {
    ranges[0].resize(1);
    ranges[1].resize(1);
  }

  const bool trim = im.trims_offsets();
  const auto* prefix_rule = dynamic_cast<const tok::PrefixSpaceTrimming*>(&im);
  const bool keep_prefix = prefix_rule && prefix_rule->trim_keeps_prefix_space();
  std::vector<Encoding> out;
  for (const Range& r0 : ranges[0])
    for (const Range& r1 : ranges[1]) {
      const Range r[2] = {r0, r1};
      Encoding e;
      auto push = [&](int32_t id, int32_t type, bool special, std::pair<int64_t, int64_t> off, int32_t word, int32_t sid) {
        e.input_ids.push_back(id);
        e.token_type_ids.push_back(type);
        e.attention_mask.push_back(1);
        e.special_tokens_mask.push_back(special);
        e.offsets.push_back(off);
        e.word_ids.push_back(word);
        e.sequence_ids.push_back(sid);
      };
      for (const TemplatePart& p : layout) {
        if (p.sequence < 0) {
          for (int32_t id : p.ids) push(id, p.type_id, true, {0, 0}, -1, -1);
          continue;
        }
        if (p.sequence == 1 && !pair) continue;
        const Sequence& s = seq[p.sequence];
        for (size_t k = r[p.sequence].first; k < r[p.sequence].second; ++k) {
          const auto& tk = s.tokens[k];
          std::pair<int64_t, int64_t> off{s.chars[tk.begin], s.chars[tk.end]};
          if (trim) off = trim_offsets(off, im.id_to_token(tk.id).value_or(""), k == r[p.sequence].first, keep_prefix);
          push(tk.id, p.type_id, false, off, tk.word, p.sequence);
        }
      }
      out.push_back(std::move(e));
    }
  return out;
}

}  // namespace hf
