#pragma once
// Tokenizers, as transformers' AutoTokenizer offers them.
//
//   auto tok = hf::AutoTokenizer::from_pretrained("Qwen/Qwen2.5-0.5B-Instruct");
//   std::vector<int32_t> ids = tok.encode("你好, world");             // add_special_tokens = true
//   std::string text = tok.decode(ids, {.skip_special_tokens = true});
//   hf::BatchEncoding batch = tok({"a", "longer text"}, {.padding = "longest"});
//   std::string prompt = tok.apply_chat_template(messages, {.add_generation_prompt = true});
//
// `Tokenizer` is a cheap-to-copy handle over an immutable implementation (`TokenizerImpl`):
// copies share it, and every const method may be called from several threads at once.
// Implementations: the tokenizer.json engine (src/tokenizers/, any model with a tokenizer.json)
// and the SentencePiece MarianTokenizer (src/tokenizers/marian/).
//
// Invalid UTF-8 in input text is not an error: each maximal invalid subsequence is replaced by
// U+FFFD before tokenizing (what Python's `bytes.decode("utf-8", "replace")` gives, and what
// decode() produces for invalid byte sequences).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hf/export.h"
#include "hf/json.h"
#include "hf/error.h"
#include "hf/hub.h"

namespace hf {

// A chat message with text content. For tool calls, content parts, etc. pass a json array of
// message objects to apply_chat_template instead.
struct HF_API Message {
  std::string role;
  std::string content;
};
using Messages = std::vector<Message>;

// tok(texts): one row per text. Without padding rows have their own lengths.
struct HF_API BatchEncoding {
  std::vector<std::vector<int32_t>> input_ids;
  std::vector<std::vector<int32_t>> attention_mask;  // 1 = token, 0 = padding
};

struct HF_API EncodeOptions {
  bool add_special_tokens = true;
  std::string padding{};     // "" (none), "longest", "max_length" (pads to max_length)
  bool truncation = false;   // truncate to max_length (special tokens included)
  int max_length = 0;        // 0 = the tokenizer's model_max_length
  std::string padding_side{};  // "" = the tokenizer's (tokenizer_config.json), "left", "right"
};

// One text, or a pair of texts, encoded with what token-level pipelines need (the Rust
// tokenizers' Encoding): type ids, the offsets mapping, word and sequence ids.
struct HF_API Encoding {
  std::vector<int32_t> input_ids, token_type_ids, attention_mask, special_tokens_mask;
  // [start, end) in characters (code points) of the token's own text; (0, 0) for special tokens.
  std::vector<std::pair<int64_t, int64_t>> offsets;
  std::vector<int32_t> word_ids;      // the word of the text each token comes from; -1: special
  std::vector<int32_t> sequence_ids;  // 0: the text, 1: the second text of a pair, -1: special
  size_t size() const { return input_ids.size(); }
  // transformers' word_to_chars(word, sequence_index): the characters the word's tokens span
  // in this encoding; (-1, -1) when none of them is here.
  std::pair<int64_t, int64_t> word_to_chars(int32_t word, int sequence = 0) const;
};

struct HF_API EncodePlusOptions {
  bool add_special_tokens = true;
  std::string truncation{};   // "" (none), "longest_first", "only_first", "only_second"
  int max_length = 0;         // 0 = the tokenizer's model_max_length
  int stride = 0;             // tokens shared by consecutive overflowing windows
  bool return_overflowing_tokens = false;
};

// A post-processor's template: runs of special tokens (sequence -1) around the first (0) and
// second (1) text, with their type ids.
struct HF_API TemplatePart {
  int sequence = 0;
  std::vector<int32_t> ids;  // sequence -1 only
  int32_t type_id = 0;
};

struct HF_API DecodeOptions {
  bool skip_special_tokens = false;
  // unset = tokenizer_config.json's clean_up_tokenization_spaces
  std::optional<bool> clean_up_tokenization_spaces{};
};

struct HF_API ChatTemplateOptions {
  // Kept for transformers' spelling (`{.tokenize = false, .add_generation_prompt = true}`):
  // apply_chat_template always returns the text, apply_chat_template_ids the token ids.
  bool tokenize = false;
  bool add_generation_prompt = false;
  bool continue_final_message = false;
  json tools{};               // null = none; else a JSON array of tool schemas
  json documents{};           // null = none; else a JSON array of documents
  std::string template_name{};  // "" = "default" (or "tool_use" when tools are given)
  json kwargs{};              // extra template variables (a JSON object), merged into the context
};

// What tokenizer_config.json says (and what an implementation sets from its own files).
struct HF_API TokenizerConfig {
  std::string bos_token, eos_token, pad_token, unk_token;  // "" = none
  bool clean_up_tokenization_spaces = false;
  int64_t model_max_length = int64_t(1) << 60;  // VERY_LARGE_INTEGER when absent or huge
  std::string padding_side = "right";
  std::string truncation_side = "right";
  // Chat templates by name: a plain string template is named "default".
  std::vector<std::pair<std::string, std::string>> chat_templates;
  json raw;  // the whole tokenizer_config.json (an empty object when there is none)
};

// The small interface a tokenizer backend implements. Ids are int32; an id that is not in the
// vocabulary (negative or >= vocab_size()) passed to decode/id_to_token is the caller's error:
// decode throws hf::TokenizerError, id_to_token returns nullopt.
class HF_API TokenizerImpl {
 public:
  virtual ~TokenizerImpl() = default;
  // text → ids, with the post-processor's special tokens when add_special_tokens.
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const = 0;
  // ids (of one text, encoded without special tokens) → ids with the special tokens added, as
  // encode(text, true) would give. Used to truncate before adding them.
  virtual std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const = 0;
  // ids → text. skip_special_tokens drops the ids of special tokens; clean_up applies
  // transformers' clean_up_tokenization (" ." → ".", " n't" → "n't", ...). Throws
  // hf::TokenizerError for an id out of range.
  virtual std::string decode(std::span<const int32_t> ids, bool skip_special_tokens, bool clean_up) const = 0;
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  // The number of ids, added tokens included (Python's len(tokenizer)).
  virtual size_t vocab_size() const = 0;
  // Whether decode(skip_special_tokens=true) drops this id.
  virtual bool is_special_id(int32_t id) const = 0;
  virtual const TokenizerConfig& config() const = 0;
  // For the offsets mapping: one text's tokens without special tokens, each with the byte range
  // of `text` it came from and its word index. Default: hf::TokenizerError (not available).
  struct TokenSpan {
    int32_t id;
    uint32_t begin, end;
    int32_t word;
  };
  virtual std::vector<TokenSpan> encode_with_offsets(std::string_view text) const;
  // The special tokens around one text (pair = false) or two. Default: none.
  virtual std::vector<TemplatePart> special_tokens_layout(bool pair) const;
  // Whether offsets leave out the spaces a token carries (ByteLevel trim_offsets).
  virtual bool trims_offsets() const { return false; }
};

class HF_API Tokenizer {
 public:
  Tokenizer() = default;  // empty: every call throws hf::TokenizerError
  static Tokenizer from_impl(std::shared_ptr<const TokenizerImpl> impl);
  // Loads a folder's tokenizer.json (+ tokenizer_config.json when present).
  static Tokenizer from_file(const std::string& tokenizer_json_path, const std::string& tokenizer_config_path = "");

  // A batch: input_ids + attention_mask, padded / truncated as asked.
  BatchEncoding operator()(const std::vector<std::string>& texts, const EncodeOptions& options = {}) const;
  // One text, truncated when asked, never padded.
  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const;
  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const;

  // transformers' tokenizer(text[, text_pair], truncation=..., max_length=..., stride=...,
  // return_overflowing_tokens=..., return_offsets_mapping=True) for one input: one Encoding, or
  // one per window when the text overflows and return_overflowing_tokens is set.
  // hf::InputError when truncation cannot fit max_length (the Rust tokenizers' errors).
  std::vector<Encoding> encode_plus(std::string_view text, const EncodePlusOptions& options = {}) const;
  std::vector<Encoding> encode_plus(std::string_view text, std::string_view text_pair, const EncodePlusOptions& options = {}) const;
  // Whether "token_type_ids" is among the tokenizer class's model_input_names (BERT yes;
  // DistilBERT, RoBERTa, XLM-R no): only then do pipelines pass them to the model.
  bool returns_token_type_ids() const;

  std::string decode(std::span<const int32_t> ids, const DecodeOptions& options = {}) const;
  std::vector<std::string> batch_decode(const std::vector<std::vector<int32_t>>& ids,
                                        const DecodeOptions& options = {}) const;

  // Renders the chat template (hf::TemplateError on template errors, hf::TokenizerError when the
  // tokenizer has no chat template). `messages` may be a JSON array of message objects.
  std::string apply_chat_template(const Messages& messages, const ChatTemplateOptions& options = {}) const;
  std::string apply_chat_template(const json& messages, const ChatTemplateOptions& options = {}) const;
  // = encode(apply_chat_template(...), add_special_tokens = false), as transformers does.
  std::vector<int32_t> apply_chat_template_ids(const Messages& messages, const ChatTemplateOptions& options = {}) const;
  std::vector<int32_t> apply_chat_template_ids(const json& messages, const ChatTemplateOptions& options = {}) const;

  std::vector<std::string> convert_ids_to_tokens(std::span<const int32_t> ids) const;  // throws on bad id
  std::vector<int32_t> convert_tokens_to_ids(const std::vector<std::string>& tokens) const;  // unk id (or -1) if unknown
  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::string id_to_token(int32_t id) const;  // "" when out of range

  std::optional<int32_t> bos_token_id() const;
  std::optional<int32_t> eos_token_id() const;
  std::optional<int32_t> pad_token_id() const;
  std::optional<int32_t> unk_token_id() const;
  std::string bos_token() const;  // "" when none
  std::string eos_token() const;
  std::string pad_token() const;
  std::string unk_token() const;

  bool is_special_id(int32_t id) const;
  size_t vocab_size() const;  // added tokens included (len(tokenizer))
  int64_t model_max_length() const;
  std::string padding_side() const;
  bool clean_up_tokenization_spaces() const;
  // The template named `name` ("" = "default"); hf::TokenizerError when there is none.
  const std::string& chat_template(const std::string& name = "") const;
  bool has_chat_template(const std::string& name = "") const;
  const TokenizerConfig& config() const;
  const TokenizerImpl& impl() const;
  bool empty() const { return impl_ == nullptr; }

 private:
  std::shared_ptr<const TokenizerImpl> impl_;
  struct Cache;  // compiled chat templates, shared by copies
  std::shared_ptr<Cache> cache_;
};

// Incremental decoding for streaming: feed ids one at a time; put() returns the text that became
// final (possibly ""), never a partial UTF-8 character (byte-level tokens often split one Chinese
// character across two ids). finish() returns what is left. The concatenation of every put() and
// finish() equals tokenizer.decode(all ids, options).
class HF_API DecodeStream {
 public:
  explicit DecodeStream(Tokenizer tokenizer, DecodeOptions options = {});
  std::string put(int32_t id);
  std::string finish();

 private:
  void shrink();
  bool is_byte_token(int32_t id) const;
  Tokenizer tok_;
  DecodeOptions opts_;
  bool clean_up_ = false;
  std::vector<int32_t> window_;  // ids whose decode is compared from one step to the next
  size_t emitted_ = 0;           // bytes of decode(window_) already returned
};

struct HF_API AutoTokenizer {
  // name_or_path: a local folder or a Hub id (through hf::resolve_model). A folder with
  // tokenizer.json → the tokenizer.json engine; a Marian folder (source.spm) → MarianTokenizer.
  static Tokenizer from_pretrained(const std::string& name_or_path, const HubOptions& options = {});
};

}  // namespace hf
