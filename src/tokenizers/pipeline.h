#pragma once
// The stages of the tokenizer.json pipeline, as in the Rust `tokenizers` crate:
//   normalizer → pre-tokenizer → model → post-processor on encode; decoder on decode.
// Each component is one small class in normalizers/, pre_tokenizers/, models/, post_processors/,
// decoders/, built from its JSON object by make_*() (null JSON → nullptr, i.e. none).
// Components work on strings; the offsets mapping (TokenizerImpl::encode_with_offsets) is
// recovered afterwards by aligning each stage's output with its input (offsets.cpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "hf/tokenizer.h"

namespace hf::tok {

// One piece of the text between pre-tokenization steps. `at_start`: the piece begins at byte 0
// of the original input (Metaspace's prepend_scheme "first" needs it).
struct Piece {
  std::string text;
  bool at_start = false;
};

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& s) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Splits / rewrites every piece; empty pieces are dropped.
  virtual void pre_tokenize(std::vector<Piece>& pieces) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // One pre-tokenized word (non-empty) → ids appended to out.
  virtual void tokenize(std::string_view word, std::vector<int32_t>& out) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual const std::string* id_to_token(int32_t id) const = 0;  // nullptr: no such id
  virtual size_t vocab_size() const = 0;                         // ids are < vocab_size()
  // What a token adds to the text it covers (WordPiece's "##" on later pieces, BPE's
  // continuing_subword_prefix / end_of_word_suffix), stripped when aligning tokens to offsets.
  virtual std::string_view continuing_prefix() const { return {}; }
  virtual std::string_view end_of_word_suffix() const { return {}; }
};

using TemplatePiece = TemplatePart;  // hf/tokenizer.h

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual void process(std::vector<int32_t>& ids) const = 0;  // a single sequence
  // The template around one text (pair = false) or two; default: the texts alone.
  virtual std::vector<TemplatePiece> layout(bool pair) const {
    if (!pair) return {TemplatePiece{0, {}, 0}};
    return {TemplatePiece{0, {}, 0}, TemplatePiece{1, {}, 1}};
  }
  // ByteLevel / RobertaProcessing trim_offsets: offsets leave out the spaces a token carries.
  virtual bool trims_offsets() const { return false; }
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// What factories need from the rest of the tokenizer (post-processors resolve token ids).
struct BuildContext {
  const Model* model = nullptr;
};

std::unique_ptr<Normalizer> make_normalizer(const json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const std::string& path);
std::unique_ptr<PostProcessor> make_post_processor(const json& j, const std::string& path);
// `before` $A `after`: transformers' replacement when tokenizer_config.json sets add_bos_token /
// add_eos_token.
std::unique_ptr<PostProcessor> make_bos_eos_processor(std::vector<int32_t> before, std::vector<int32_t> after);
std::unique_ptr<Decoder> make_decoder(const json& j, const std::string& path);

// The raw JSON text of model.vocab / model.merges when the loader kept them out of the DOM (see
// json_loader.h); empty views mean "take them from the JSON object".
struct ModelSource {
  const json* model = nullptr;
  std::string_view vocab_text;
  std::string_view merges_text;
};
std::unique_ptr<Model> make_model(const ModelSource& src, const std::string& path);

}  // namespace hf::tok
