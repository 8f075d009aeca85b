// AutoTokenizer::from_pretrained: tokenizer.json → the tokenizer.json engine; a Marian folder →
// MarianTokenizer (src/tokenizers/marian/).
#include <algorithm>
#include <filesystem>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "tokenizers/marian/marian_tokenizer.h"
#include "tokenizers/offset_trimming.h"
#include "tokenizers/tokenizer_json.h"

namespace hf {

namespace {
// transformers reads chat_template.jinja when it is there (it wins over tokenizer_config.json).
std::shared_ptr<const TokenizerImpl> with_template_file(std::shared_ptr<const TokenizerImpl> impl,
                                                        const std::filesystem::path& dir);
}  // namespace

Tokenizer AutoTokenizer::from_pretrained(const std::string& name_or_path, const HubOptions& options) {
  std::filesystem::path dir = resolve_model(name_or_path, options);
  if (std::filesystem::exists(dir / "tokenizer.json"))
    return Tokenizer::from_impl(with_template_file(tok::load_tokenizer_json(dir / "tokenizer.json", dir / "tokenizer_config.json"), dir));
  if (is_marian_tokenizer_dir(dir)) return load_marian_tokenizer(dir);
  throw TokenizerError("no tokenizer.json in " + dir.string());
}

namespace {
// Forwards everything to the wrapped implementation, with chat_templates replaced: every
// virtual, the optional ones too (encode_plus's offsets, word ids and special-token layout).
class TemplateOverride : public TokenizerImpl, public tok::PrefixSpaceTrimming {
 public:
  TemplateOverride(std::shared_ptr<const TokenizerImpl> inner, std::string source) : inner_(std::move(inner)) {
    config_ = inner_->config();
    config_.chat_templates.erase(std::remove_if(config_.chat_templates.begin(), config_.chat_templates.end(),
                                                [](const auto& t) { return t.first == "default"; }),
                                 config_.chat_templates.end());
    config_.chat_templates.insert(config_.chat_templates.begin(), {"default", std::move(source)});
  }
  std::vector<int32_t> encode(std::string_view text, bool add) const override { return inner_->encode(text, add); }
  std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const override { return inner_->add_special_tokens(std::move(ids)); }
  std::string decode(std::span<const int32_t> ids, bool skip, bool clean) const override { return inner_->decode(ids, skip, clean); }
  std::optional<std::string> id_to_token(int32_t id) const override { return inner_->id_to_token(id); }
  std::optional<int32_t> token_to_id(std::string_view t) const override { return inner_->token_to_id(t); }
  size_t vocab_size() const override { return inner_->vocab_size(); }
  bool is_special_id(int32_t id) const override { return inner_->is_special_id(id); }
  const TokenizerConfig& config() const override { return config_; }
  std::vector<TokenSpan> encode_with_offsets(std::string_view text) const override { return inner_->encode_with_offsets(text); }
  std::vector<TemplatePart> special_tokens_layout(bool pair) const override { return inner_->special_tokens_layout(pair); }
  bool trims_offsets() const override { return inner_->trims_offsets(); }
  bool trim_keeps_prefix_space() const override {
    const auto* rule = dynamic_cast<const tok::PrefixSpaceTrimming*>(inner_.get());
    return rule && rule->trim_keeps_prefix_space();
  }

 private:
  std::shared_ptr<const TokenizerImpl> inner_;
  TokenizerConfig config_;
};

std::shared_ptr<const TokenizerImpl> with_template_file(std::shared_ptr<const TokenizerImpl> impl,
                                                        const std::filesystem::path& dir) {
  std::filesystem::path p = dir / "chat_template.jinja";
  if (!std::filesystem::exists(p)) return impl;
  return std::make_shared<TemplateOverride>(std::move(impl), read_text_file(p));
}
}  // namespace

}  // namespace hf
