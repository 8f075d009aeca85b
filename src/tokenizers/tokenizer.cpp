// hf::Tokenizer: transformers' calls (batching, padding, truncation, special-token accessors)
// over any TokenizerImpl.
#include "hf/tokenizer.h"

#include <algorithm>

#include "tokenizers/tokenizer_cache.h"
#include "tokenizers/tokenizer_json.h"

namespace hf {

Tokenizer Tokenizer::from_impl(std::shared_ptr<const TokenizerImpl> impl) {
  if (!impl) throw TokenizerError("Tokenizer::from_impl: null implementation");
  Tokenizer t;
  t.impl_ = std::move(impl);
  t.cache_ = std::make_shared<Cache>();
  return t;
}

Tokenizer Tokenizer::from_file(const std::string& tokenizer_json_path, const std::string& tokenizer_config_path) {
  return from_impl(tok::load_tokenizer_json(tokenizer_json_path, tokenizer_config_path));
}

const TokenizerImpl& Tokenizer::impl() const {
  if (!impl_) throw TokenizerError("empty Tokenizer (load one with AutoTokenizer::from_pretrained)");
  return *impl_;
}

const TokenizerConfig& Tokenizer::config() const { return impl().config(); }

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  return impl().encode(text, add_special_tokens);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& o) const {
  const TokenizerImpl& im = impl();
  std::vector<int32_t> ids = im.encode(text, o.add_special_tokens);
  if (!o.truncation) return ids;
  int64_t max = o.max_length > 0 ? o.max_length : im.config().model_max_length;
  if (static_cast<int64_t>(ids.size()) <= max) return ids;
  // Truncate the text's own ids so that, with the special tokens, max_length is respected.
  std::vector<int32_t> body = o.add_special_tokens ? im.encode(text, false) : std::move(ids);
  int64_t specials = o.add_special_tokens ? static_cast<int64_t>(im.add_special_tokens({}).size()) : 0;
  size_t keep = static_cast<size_t>(std::clamp<int64_t>(max - specials, 0, static_cast<int64_t>(body.size())));
  if (im.config().truncation_side == "left") body.erase(body.begin(), body.end() - keep);
  else body.resize(keep);
  return o.add_special_tokens ? im.add_special_tokens(std::move(body)) : body;
}

BatchEncoding Tokenizer::operator()(const std::vector<std::string>& texts, const EncodeOptions& o) const {
  BatchEncoding out;
  out.input_ids.reserve(texts.size());
  for (const std::string& t : texts) out.input_ids.push_back(encode(t, o));
  size_t target = 0;
  if (o.padding == "longest" || o.padding == "true") {
    for (const auto& ids : out.input_ids) target = std::max(target, ids.size());
  } else if (o.padding == "max_length") {
    int64_t max = o.max_length > 0 ? o.max_length : model_max_length();
    if (max >= (int64_t(1) << 40)) throw InputError("padding=\"max_length\" needs max_length: this tokenizer has no model_max_length");
    target = static_cast<size_t>(max);
  } else if (!o.padding.empty() && o.padding != "do_not_pad" && o.padding != "false") {
    throw InputError("padding must be \"\", \"longest\" or \"max_length\", not \"" + o.padding + "\"");
  }
  bool needs_pad = false;
  for (const auto& ids : out.input_ids) needs_pad = needs_pad || ids.size() < target;
  std::optional<int32_t> pad = pad_token_id();
  if (needs_pad && !pad)
    throw InputError("Asking to pad but the tokenizer does not have a padding token (pad_token in tokenizer_config.json)");
  std::string side = o.padding_side.empty() ? padding_side() : o.padding_side;
  if (side != "left" && side != "right") throw InputError("padding_side must be \"left\" or \"right\", not \"" + side + "\"");
  out.attention_mask.reserve(texts.size());
  for (auto& ids : out.input_ids) {
    size_t n = ids.size(), missing = n < target ? target - n : 0;
    std::vector<int32_t> mask(n, 1);
    if (missing) {
      if (side == "left") {
        ids.insert(ids.begin(), missing, *pad);
        mask.insert(mask.begin(), missing, 0);
      } else {
        ids.insert(ids.end(), missing, *pad);
        mask.insert(mask.end(), missing, 0);
      }
    }
    out.attention_mask.push_back(std::move(mask));
  }
  return out;
}

bool Tokenizer::clean_up_tokenization_spaces() const { return config().clean_up_tokenization_spaces; }

std::string Tokenizer::decode(std::span<const int32_t> ids, const DecodeOptions& o) const {
  const TokenizerImpl& im = impl();
  return im.decode(ids, o.skip_special_tokens, o.clean_up_tokenization_spaces.value_or(im.config().clean_up_tokenization_spaces));
}

std::vector<std::string> Tokenizer::batch_decode(const std::vector<std::vector<int32_t>>& ids, const DecodeOptions& o) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& row : ids) out.push_back(decode(row, o));
  return out;
}

std::vector<std::string> Tokenizer::convert_ids_to_tokens(std::span<const int32_t> ids) const {
  const TokenizerImpl& im = impl();
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (int32_t id : ids) {
    auto t = im.id_to_token(id);
    if (!t) throw TokenizerError("convert_ids_to_tokens: token id " + std::to_string(id) + " is not in the vocabulary (size " +
                                 std::to_string(im.vocab_size()) + ")");
    out.push_back(std::move(*t));
  }
  return out;
}

std::vector<int32_t> Tokenizer::convert_tokens_to_ids(const std::vector<std::string>& tokens) const {
  std::vector<int32_t> out;
  out.reserve(tokens.size());
  std::optional<int32_t> unk = unk_token_id();
  for (const std::string& t : tokens) {
    auto id = impl().token_to_id(t);
    out.push_back(id ? *id : unk.value_or(-1));
  }
  return out;
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const { return impl().token_to_id(token); }

std::string Tokenizer::id_to_token(int32_t id) const { return impl().id_to_token(id).value_or(""); }

namespace {
std::optional<int32_t> special_id(const TokenizerImpl& im, const std::string& token) {
  if (token.empty()) return std::nullopt;
  return im.token_to_id(token);
}
}  // namespace

std::optional<int32_t> Tokenizer::bos_token_id() const { return special_id(impl(), config().bos_token); }
std::optional<int32_t> Tokenizer::eos_token_id() const { return special_id(impl(), config().eos_token); }
std::optional<int32_t> Tokenizer::pad_token_id() const { return special_id(impl(), config().pad_token); }
std::optional<int32_t> Tokenizer::unk_token_id() const { return special_id(impl(), config().unk_token); }
std::string Tokenizer::bos_token() const { return config().bos_token; }
std::string Tokenizer::eos_token() const { return config().eos_token; }
std::string Tokenizer::pad_token() const { return config().pad_token; }
std::string Tokenizer::unk_token() const { return config().unk_token; }

bool Tokenizer::is_special_id(int32_t id) const { return impl().is_special_id(id); }
size_t Tokenizer::vocab_size() const { return impl().vocab_size(); }
int64_t Tokenizer::model_max_length() const { return config().model_max_length; }
std::string Tokenizer::padding_side() const { return config().padding_side; }

bool Tokenizer::has_chat_template(const std::string& name) const {
  const std::string& want = name.empty() ? std::string("default") : name;
  for (const auto& [n, src] : config().chat_templates)
    if (n == want) return true;
  return false;
}

const std::string& Tokenizer::chat_template(const std::string& name) const {
  const auto& list = config().chat_templates;
  const std::string want = name.empty() ? "default" : name;
  for (const auto& [n, src] : list)
    if (n == want) return src;
  if (list.empty())
    throw TokenizerError("this tokenizer has no chat template (tokenizer_config.json has no chat_template)");
  std::string names;
  for (const auto& [n, src] : list) names += (names.empty() ? "" : ", ") + n;
  throw TokenizerError("no chat template named \"" + want + "\" (this tokenizer has: " + names + ")");
}

}  // namespace hf
