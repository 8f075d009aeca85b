// Post-processors (what add_special_tokens adds around one sequence): TemplateProcessing,
// BertProcessing, RobertaProcessing, ByteLevel (ids unchanged), Sequence.
#include "tokenizers/json_util.h"
#include "tokenizers/pipeline.h"

namespace hf::tok {

namespace {

// A template: special-token runs around $A (and $B for a pair), each piece with its type id.
class Template : public PostProcessor {
 public:
  Template(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair, bool trim = false)
      : single_(std::move(single)), pair_(std::move(pair)), trim_(trim) {}
  void process(std::vector<int32_t>& ids) const override {
    std::vector<int32_t> out;
    for (const TemplatePiece& p : single_) {
      if (p.sequence < 0) out.insert(out.end(), p.ids.begin(), p.ids.end());
      else out.insert(out.end(), ids.begin(), ids.end());
    }
    ids = std::move(out);
  }
  std::vector<TemplatePiece> layout(bool pair) const override { return pair ? pair_ : single_; }
  bool trims_offsets() const override { return trim_; }

 private:
  std::vector<TemplatePiece> single_, pair_;
  bool trim_;
};

// `before` $A `after` (and `before` $A `after` `between` $B `after` for a pair).
std::unique_ptr<PostProcessor> make_around(std::vector<int32_t> before, std::vector<int32_t> after,
                                           std::vector<int32_t> between, int32_t pair_type, bool trim) {
  std::vector<TemplatePiece> single{{-1, before, 0}, {0, {}, 0}, {-1, after, 0}};
  std::vector<TemplatePiece> pair{{-1, before, 0}, {0, {}, 0}, {-1, after, 0}};
  if (!between.empty()) pair.push_back({-1, between, pair_type});
  pair.push_back({1, {}, pair_type});
  pair.push_back({-1, after, pair_type});
  return std::make_unique<Template>(std::move(single), std::move(pair), trim);
}

class Identity : public PostProcessor {
 public:
  explicit Identity(bool trim) : trim_(trim) {}
  void process(std::vector<int32_t>&) const override {}
  bool trims_offsets() const override { return trim_; }

 private:
  bool trim_;
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> p) : parts_(std::move(p)) {}
  void process(std::vector<int32_t>& ids) const override {
    for (const auto& p : parts_) p->process(ids);
  }
  // The template comes from the one part that has one (ByteLevel only trims offsets).
  std::vector<TemplatePiece> layout(bool pair) const override {
    for (const auto& p : parts_)
      if (auto l = p->layout(pair); l.size() > (pair ? 2u : 1u)) return l;
    return PostProcessor::layout(pair);
  }
  bool trims_offsets() const override {
    for (const auto& p : parts_)
      if (p->trims_offsets()) return true;
    return false;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

std::vector<TemplatePiece> read_template(const json& list, const std::string& tpath, const json* specials, const std::string& path) {
  if (!list.is_array()) bad_json(tpath, "expected an array of template pieces");
  std::vector<TemplatePiece> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& piece = list[i];
    std::string ppath = json_path(tpath, i);
    if (const json* seq = opt_field(piece, "Sequence")) {
      const std::string id = seq->value("id", "A");
      out.push_back({id == "B" ? 1 : 0, {}, seq->value("type_id", 0)});
      continue;
    }
    const json* st = opt_field(piece, "SpecialToken");
    if (!st) bad_json(ppath, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    std::string id = get_string(*st, "id", json_path(ppath, "SpecialToken"));
    const json* entry = specials ? opt_field(*specials, id.c_str()) : nullptr;
    if (!entry) bad_json(ppath, "special token \"" + id + "\" is not in special_tokens");
    const json& ids = field(*entry, "ids", json_path(json_path(path, "special_tokens"), id));
    TemplatePiece p{-1, {}, st->value("type_id", 0)};
    for (const json& v : ids) {
      if (!v.is_number_integer()) bad_json(json_path(json_path(path, "special_tokens"), id), "ids must be integers");
      p.ids.push_back(v.get<int32_t>());
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::unique_ptr<PostProcessor> make_template(const json& j, const std::string& path) {
  const json* specials = opt_field(j, "special_tokens");
  std::vector<TemplatePiece> single = read_template(field(j, "single", path), json_path(path, "single"), specials, path);
  std::vector<TemplatePiece> pair;
  if (const json* p = opt_field(j, "pair"); p && !p->is_null()) pair = read_template(*p, json_path(path, "pair"), specials, path);
  else pair = {{0, {}, 0}, {1, {}, 1}};
  return std::make_unique<Template>(std::move(single), std::move(pair));
}

// ["token", id]
int32_t token_pair_id(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer()) bad_json(json_path(path, key), "expected [token, id]");
  return v[1].get<int32_t>();
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const json& j, const std::string& path) {
  if (j.is_null()) return nullptr;
  std::string type = component_type(j, path);
  if (type == "TemplateProcessing") return make_template(j, path);
  // BertProcessing: [CLS] A [SEP] B [SEP] (B typed 1); RobertaProcessing: <s> A </s></s> B </s>
  // (all typed 0, as the Rust crate does).
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    const bool roberta = type == "RobertaProcessing";
    const int32_t cls = token_pair_id(j, "cls", path), sep = token_pair_id(j, "sep", path);
    return make_around({cls}, {sep}, roberta ? std::vector<int32_t>{sep} : std::vector<int32_t>{}, roberta ? 0 : 1,
                       roberta && j.value("trim_offsets", true));
  }
  if (type == "ByteLevel") return std::make_unique<Identity>(j.value("trim_offsets", true));
  if (type == "Sequence") return std::make_unique<SequenceProcessor>(sequence_parts<PostProcessor>(j, "processors", path, make_post_processor));
  unknown_type(path, "post-processor", type);
}

// [bos] $A [eos] (transformers' add_bos_token / add_eos_token rule).
std::unique_ptr<PostProcessor> make_bos_eos_processor(std::vector<int32_t> before, std::vector<int32_t> after) {
  std::vector<int32_t> between = before;  // transformers: bos A eos bos B eos
  return make_around(std::move(before), std::move(after), std::move(between), 1, false);
}

}  // namespace hf::tok
