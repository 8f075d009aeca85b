// TokenizerJsonImpl: tokenizer.json's pipeline behind the TokenizerImpl interface.
//
// encode(text): invalid UTF-8 → U+FFFD; split on the added tokens that match raw text; normalize
// each remaining piece and split it on the added tokens that match normalized text; pre-tokenize
// each piece; the model turns each word into ids; then the post-processor (add_special_tokens).
// decode(ids): ids → tokens (added tokens by content), specials dropped when asked, the decoder
// chain, then transformers' clean_up_tokenization when asked.
#include "tokenizers/tokenizer_json.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tokenizers/added_vocabulary.h"
#include "tokenizers/json_loader.h"
#include "tokenizers/json_util.h"
#include "tokenizers/offset_trimming.h"
#include "tokenizers/offsets.h"
#include "tokenizers/pipeline.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

class TokenizerJsonImpl : public TokenizerImpl, public PrefixSpaceTrimming {
 public:
  TokenizerJsonImpl(TokenizerJson&& tj, TokenizerConfig config) : config_(std::move(config)) {
    const json& doc = tj.doc;
    if (!doc.is_object()) bad_json("(root)", "expected an object");
    ModelSource src{&field(doc, "model", ""), tj.vocab_text, tj.merges_text};
    model_ = make_model(src, "model");
    normalizer_ = make_normalizer(doc.value("normalizer", json()), "normalizer");

    json pre = doc.value("pre_tokenizer", json());
    // GPT2TokenizerFast & co.: tokenizer_config's add_prefix_space overrides a ByteLevel pre-tokenizer's.
    if (const json* aps = opt_field(config_.raw, "add_prefix_space");
        aps && aps->is_boolean() && pre.is_object() && pre.value("type", "") == "ByteLevel")
      pre["add_prefix_space"] = *aps;
    pre_tokenizer_ = make_pre_tokenizer(pre, "pre_tokenizer");
    post_processor_ = make_post_processor(doc.value("post_processor", json()), "post_processor");
    keep_prefix_space_ = tok::trim_keeps_prefix_space(doc.value("post_processor", json()), config_.raw);
    decoder_ = make_decoder(doc.value("decoder", json()), "decoder");

    load_added_tokens(doc);
    add_config_tokens();
    bool split_special = false;
    if (const json* v = opt_field(config_.raw, "split_special_tokens"); v && v->is_boolean()) split_special = v->get<bool>();
    added_.finalize(normalizer_.get(), split_special);
    apply_bos_eos_rule();

    vocab_size_ = std::max(model_->vocab_size(), static_cast<size_t>(added_.max_id() + 1));
    special_.assign(vocab_size_, 0);
    for (const AddedToken& t : added_.tokens())
      if (t.special) special_[t.id] = 1;
  }

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const override {
    std::vector<int32_t> ids;
    encode_into(text, ids);
    if (add_special_tokens && post_processor_) post_processor_->process(ids);
    return ids;
  }

  std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const override {
    if (post_processor_) post_processor_->process(ids);
    return ids;
  }

  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens, bool clean_up) const override {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int32_t id : ids) {
      check_id(id);
      if (skip_special_tokens && special_[id]) continue;
      const std::string* t = token(id);
      if (t) tokens.push_back(*t);  // an unused id inside the range decodes to nothing (as in Rust)
    }
    std::string text;
    if (decoder_) {
      decoder_->decode_chain(tokens);
      for (const std::string& t : tokens) text += t;
    } else {
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (i) text += ' ';
        text += tokens[i];
      }
    }
    return clean_up ? clean_up_tokenization(std::move(text)) : text;
  }

  std::optional<std::string> id_to_token(int32_t id) const override {
    const std::string* t = token(id);
    return t ? std::optional<std::string>(*t) : std::nullopt;
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override {
    if (auto id = added_.find(t)) return id;
    return model_->token_to_id(t);
  }

  size_t vocab_size() const override { return vocab_size_; }
  bool is_special_id(int32_t id) const override {
    return id >= 0 && static_cast<size_t>(id) < special_.size() && special_[id];
  }
  const TokenizerConfig& config() const override { return config_; }

  // encode_into's steps again, with every stage aligned to its input (offsets.h).
  std::vector<TokenSpan> encode_with_offsets(std::string_view input) const override {
    std::string sanitized;
    std::string_view text = input;
    if (!is_valid_utf8(input)) {
      sanitized = utf8_lossy(input);
      text = sanitized;
    }
    std::vector<TokenSpan> out;
    int32_t word = 0;
    std::vector<AddedVocabulary::Segment> raw_segments, norm_segments;
    std::vector<Piece> pieces;
    std::vector<int32_t> ids;
    added_.split(text, false, raw_segments);
    for (const auto& seg : raw_segments) {
      if (seg.id >= 0) {
        out.push_back({seg.id, static_cast<uint32_t>(seg.begin), static_cast<uint32_t>(seg.end), word++});
        continue;
      }
      const AlignedText norm =
          normalize_aligned(normalizer_.get(), text.substr(seg.begin, seg.end - seg.begin), static_cast<uint32_t>(seg.begin));
      auto source = [&](ByteSpan s) -> ByteSpan {  // a normalized byte range → original bytes
        if (norm.source.empty()) return {static_cast<uint32_t>(seg.begin), static_cast<uint32_t>(seg.begin)};
        if (s.first >= s.second) {
          const uint32_t at = s.first < norm.source.size() ? norm.source[s.first].first : norm.source.back().second;
          return {at, at};
        }
        return {norm.source[s.first].first, norm.source[s.second - 1].second};
      };
      added_.split(norm.text, true, norm_segments);
      for (const auto& sub : norm_segments) {
        if (sub.id >= 0) {
          const ByteSpan o = source({static_cast<uint32_t>(sub.begin), static_cast<uint32_t>(sub.end)});
          out.push_back({sub.id, o.first, o.second, word++});
          continue;
        }
        pieces.clear();
        pieces.push_back(Piece{norm.text.substr(sub.begin, sub.end - sub.begin), seg.begin == 0 && sub.begin == 0});
        if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pieces);
        size_t cursor = sub.begin;
        for (const Piece& p : pieces) {
          if (p.text.empty()) continue;
          const std::vector<ByteSpan> chars = align_piece(p.text, norm.text, cursor);
          ids.clear();
          model_->tokenize(p.text, ids);
          const std::vector<ByteSpan> spans = align_tokens(*model_, p.text, ids);
          for (size_t k = 0; k < ids.size(); ++k) {
            const auto [b, e] = spans[k];
            const ByteSpan n = b < e ? ByteSpan{chars[b].first, chars[e - 1].second}
                                     : ByteSpan{b < chars.size() ? chars[b].first : chars.back().second,
                                                b < chars.size() ? chars[b].first : chars.back().second};
            const ByteSpan o = source(n);
            out.push_back({ids[k], o.first, o.second, word});
          }
          ++word;
        }
      }
    }
    return out;
  }

  std::vector<TemplatePart> special_tokens_layout(bool pair) const override {
    if (post_processor_) return post_processor_->layout(pair);
    return TokenizerImpl::special_tokens_layout(pair);
  }
  bool trims_offsets() const override { return post_processor_ && post_processor_->trims_offsets(); }
  bool trim_keeps_prefix_space() const override { return keep_prefix_space_; }

 private:
  const std::string* token(int32_t id) const {
    if (const AddedToken* a = added_.by_id(id)) return &a->content;
    return model_->id_to_token(id);
  }

  void check_id(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= vocab_size_)
      throw TokenizerError("decode: token id " + std::to_string(id) + " is out of range (vocabulary size " +
                           std::to_string(vocab_size_) + ")");
  }

  void encode_into(std::string_view input, std::vector<int32_t>& ids) const {
    std::string sanitized;
    std::string_view text = input;
    if (!is_valid_utf8(input)) {
      sanitized = utf8_lossy(input);  // documented: invalid UTF-8 → U+FFFD, as decode does
      text = sanitized;
    }
    std::vector<AddedVocabulary::Segment> raw_segments, norm_segments;
    std::vector<Piece> pieces;
    added_.split(text, false, raw_segments);
    for (const auto& seg : raw_segments) {
      if (seg.id >= 0) {
        ids.push_back(seg.id);
        continue;
      }
      std::string normalized(text.substr(seg.begin, seg.end - seg.begin));
      if (normalizer_) normalizer_->normalize(normalized);
      added_.split(normalized, true, norm_segments);
      for (const auto& sub : norm_segments) {
        if (sub.id >= 0) {
          ids.push_back(sub.id);
          continue;
        }
        pieces.clear();
        pieces.push_back(Piece{normalized.substr(sub.begin, sub.end - sub.begin), seg.begin == 0 && sub.begin == 0});
        if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pieces);
        for (const Piece& p : pieces)
          if (!p.text.empty()) model_->tokenize(p.text, ids);
      }
    }
  }

  void load_added_tokens(const json& doc) {
    const json* list = opt_field(doc, "added_tokens");
    if (!list) return;
    if (!list->is_array()) bad_json("added_tokens", "expected an array");
    for (size_t i = 0; i < list->size(); ++i) {
      const json& e = (*list)[i];
      std::string path = json_path("added_tokens", i);
      AddedToken t;
      const json& id = field(e, "id", path);
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= (int64_t(1) << 31))
        bad_json(json_path(path, "id"), "expected a non-negative integer");
      t.id = id.get<int32_t>();
      t.content = get_string(e, "content", path);
      t.special = get_bool_or(e, "special", path, false);
      t.single_word = get_bool_or(e, "single_word", path, false);
      t.lstrip = get_bool_or(e, "lstrip", path, false);
      t.rstrip = get_bool_or(e, "rstrip", path, false);
      t.normalized = get_bool_or(e, "normalized", path, !t.special);
      added_.add(t);
    }
  }

  // transformers adds the special tokens tokenizer_config.json names (and the entries of its
  // added_tokens_decoder) that tokenizer.json does not list.
  void add_config_tokens() {
    const json& raw = config_.raw;
    if (const json* dec = opt_field(raw, "added_tokens_decoder"); dec && dec->is_object()) {
      for (auto it = dec->begin(); it != dec->end(); ++it) {
        const json& e = it.value();
        const json* content = opt_field(e, "content");
        if (!content || !content->is_string() || added_.find(content->get<std::string>())) continue;
        char* end = nullptr;
        long long id = std::strtoll(it.key().c_str(), &end, 10);
        if (!end || *end || id < 0 || id >= (1ll << 31)) continue;
        AddedToken t;
        t.content = content->get<std::string>();
        t.id = static_cast<int32_t>(id);
        if (auto existing = model_->token_to_id(t.content)) t.id = *existing;
        else if (model_->id_to_token(t.id) || added_.by_id(t.id)) continue;  // id taken by another token
        t.special = e.value("special", false);
        t.single_word = e.value("single_word", false);
        t.lstrip = e.value("lstrip", false);
        t.rstrip = e.value("rstrip", false);
        t.normalized = e.value("normalized", !t.special);
        added_.add(t);
      }
    }
    std::vector<std::string> specials;
    for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}) {
      const json* v = opt_field(raw, key);
      if (v && v->is_string()) specials.push_back(v->get<std::string>());
      else if (v && v->is_object() && v->value("content", json()).is_string()) specials.push_back((*v)["content"].get<std::string>());
    }
    if (const json* extra = opt_field(raw, "additional_special_tokens"); extra && extra->is_array())
      for (const json& v : *extra) {
        if (v.is_string()) specials.push_back(v.get<std::string>());
        else if (v.is_object() && v.value("content", json()).is_string()) specials.push_back(v["content"].get<std::string>());
      }
    for (const std::string& s : specials) {
      if (s.empty() || added_.find(s)) continue;
      AddedToken t;
      t.content = s;
      t.special = true;
      t.normalized = false;
      if (auto id = model_->token_to_id(s)) t.id = *id;
      else t.id = static_cast<int32_t>(std::max(model_->vocab_size(), static_cast<size_t>(added_.max_id() + 1)));
      added_.add(t);
    }
  }

  // When tokenizer_config.json has add_bos_token or add_eos_token, transformers replaces the
  // post-processor by [bos] $A [eos], each part present when its flag is true and the token set.
  void apply_bos_eos_rule() {
    const json* ab = opt_field(config_.raw, "add_bos_token");
    const json* ae = opt_field(config_.raw, "add_eos_token");
    if (!ab && !ae) return;
    std::vector<int32_t> before, after;
    if (ab && ab->is_boolean() && ab->get<bool>() && !config_.bos_token.empty())
      if (auto id = token_to_id(config_.bos_token)) before.push_back(*id);
    if (ae && ae->is_boolean() && ae->get<bool>() && !config_.eos_token.empty())
      if (auto id = token_to_id(config_.eos_token)) after.push_back(*id);
    post_processor_ = make_bos_eos_processor(std::move(before), std::move(after));
  }

  TokenizerConfig config_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<PostProcessor> post_processor_;
  bool keep_prefix_space_ = false;  // see tokenizers/offset_trimming.h
  std::unique_ptr<Decoder> decoder_;
  AddedVocabulary added_;
  std::vector<uint8_t> special_;
  size_t vocab_size_ = 0;
};

std::shared_ptr<const TokenizerImpl> build(std::string text, const json& config, const std::string& name) {
  TokenizerJson tj = parse_tokenizer_json(std::move(text), name);
  TokenizerConfig cfg = parse_tokenizer_config(config);
  try {
    return std::make_shared<TokenizerJsonImpl>(std::move(tj), std::move(cfg));
  } catch (const TokenizerError& e) {
    std::string what = e.what();
    // Messages start with "tokenizer.json: "; name the actual file.
    if (name != "tokenizer.json" && what.rfind("tokenizer.json: ", 0) == 0) what = name + what.substr(14);
    throw TokenizerError(what);
  }
}

}  // namespace

std::shared_ptr<const TokenizerImpl> tokenizer_from_json_text(std::string tokenizer_json, const json& config,
                                                              const std::string& name) {
  return build(std::move(tokenizer_json), config, name);
}

std::shared_ptr<const TokenizerImpl> load_tokenizer_json(const std::filesystem::path& tokenizer_json,
                                                         const std::filesystem::path& config_path) {
  json config = json::object();
  if (!config_path.empty() && std::filesystem::exists(config_path)) {
    try {
      config = parse_json(read_text_file(config_path));
    } catch (const json::parse_error& e) {
      throw ConfigError(config_path.string() + ": malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    }
  }
  return build(read_text_file(tokenizer_json), config, tokenizer_json.string());
}

}  // namespace hf::tok
