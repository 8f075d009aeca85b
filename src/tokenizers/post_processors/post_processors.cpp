// Post-processors (what add_special_tokens adds around one sequence): TemplateProcessing,
// BertProcessing, RobertaProcessing, ByteLevel (ids unchanged), Sequence.
#include "tokenizers/json_util.h"
#include "tokenizers/pipeline.h"

namespace hf::tok {

namespace {

// A fixed list of ids before and after the sequence.
class Around : public PostProcessor {
 public:
  Around(std::vector<int32_t> before, std::vector<int32_t> after) : before_(std::move(before)), after_(std::move(after)) {}
  void process(std::vector<int32_t>& ids) const override {
    ids.insert(ids.begin(), before_.begin(), before_.end());
    ids.insert(ids.end(), after_.begin(), after_.end());
  }

 private:
  std::vector<int32_t> before_, after_;
};

class Identity : public PostProcessor {
 public:
  void process(std::vector<int32_t>&) const override {}
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> p) : parts_(std::move(p)) {}
  void process(std::vector<int32_t>& ids) const override {
    for (const auto& p : parts_) p->process(ids);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

std::unique_ptr<PostProcessor> make_template(const json& j, const std::string& path) {
  const json& single = field(j, "single", path);
  std::string spath = json_path(path, "single");
  if (!single.is_array()) bad_json(spath, "expected an array of template pieces");
  const json* specials = opt_field(j, "special_tokens");
  std::vector<int32_t> before, after;
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const json& piece = single[i];
    std::string ppath = json_path(spath, i);
    if (const json* seq = opt_field(piece, "Sequence")) {
      (void)seq;
      seen_sequence = true;
      continue;
    }
    const json* st = opt_field(piece, "SpecialToken");
    if (!st) bad_json(ppath, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    std::string id = get_string(*st, "id", json_path(ppath, "SpecialToken"));
    const json* entry = specials ? opt_field(*specials, id.c_str()) : nullptr;
    if (!entry) bad_json(ppath, "special token \"" + id + "\" is not in special_tokens");
    const json& ids = field(*entry, "ids", json_path(json_path(path, "special_tokens"), id));
    std::vector<int32_t>& dst = seen_sequence ? after : before;
    for (const json& v : ids) {
      if (!v.is_number_integer()) bad_json(json_path(json_path(path, "special_tokens"), id), "ids must be integers");
      dst.push_back(v.get<int32_t>());
    }
  }
  return std::make_unique<Around>(std::move(before), std::move(after));
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
  if (type == "BertProcessing" || type == "RobertaProcessing")
    return std::make_unique<Around>(std::vector<int32_t>{token_pair_id(j, "cls", path)},
                                    std::vector<int32_t>{token_pair_id(j, "sep", path)});
  if (type == "ByteLevel") return std::make_unique<Identity>();
  if (type == "Sequence") return std::make_unique<SequenceProcessor>(sequence_parts<PostProcessor>(j, "processors", path, make_post_processor));
  unknown_type(path, "post-processor", type);
}

// [bos] $A [eos] (transformers' add_bos_token / add_eos_token rule).
std::unique_ptr<PostProcessor> make_bos_eos_processor(std::vector<int32_t> before, std::vector<int32_t> after) {
  return std::make_unique<Around>(std::move(before), std::move(after));
}

}  // namespace hf::tok
