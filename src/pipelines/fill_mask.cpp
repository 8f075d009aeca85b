// fill-mask: transformers' FillMaskPipeline (pipelines/fill_mask.py: get_target_ids, postprocess).
//   pipe("the software is [MASK].")            → [{score, token, token_str, sequence} × top_k]
//   several masks                               → one such list per mask
//   a list of texts                             → a list of results (a list of one: the result)
// kwargs: top_k (default 5), targets (a string or a list: scores over those tokens only, not
// renormalised).
#include <algorithm>
#include <numeric>

#include "hf/error.h"
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

class FillMaskPipeline : public EncoderPipeline {
 public:
  FillMaskPipeline(const std::string& task, const PipelineOptions& o) : EncoderPipeline(task, o, EncoderHead::MaskedLM) {
    const json& raw = tok_.config().raw;
    std::string mask = "[MASK]";
    if (raw.contains("mask_token") && raw["mask_token"].is_string()) mask = raw["mask_token"].get<std::string>();
    else if (raw.contains("mask_token") && raw["mask_token"].is_object()) mask = raw["mask_token"].value("content", mask);
    mask_token_ = mask;
    if (auto id = tok_.token_to_id(mask)) mask_id_ = *id;
    else throw ConfigError(model_name_ + ": the tokenizer has no mask token \"" + mask + "\"");
  }

  json run(const json& inputs, const PipelineCallOptions& o) override {
    const int64_t top_k = int_kwarg(o, "top_k").value_or(5);
    if (top_k < 1) throw InputError("fill-mask: top_k must be at least 1");
    const std::vector<int32_t> targets = target_ids(o);
    if (!inputs.is_array()) return fill(text_input(inputs), top_k, targets);
    json out = json::array();
    for (const json& in : inputs) out.push_back(fill(text_input(in), top_k, targets));
    return out.size() == 1 ? out[0] : out;
  }

 private:
  // get_target_ids: vocabulary tokens as they are, other words by their first token; duplicates
  // removed; none left is an error.
  std::vector<int32_t> target_ids(const PipelineCallOptions& o) const {
    const json* t = kwarg(o, "targets");
    if (!t || t->is_null()) return {};
    std::vector<std::string> words;
    if (t->is_string()) words.push_back(t->get<std::string>());
    else if (t->is_array())
      for (const json& w : *t) {
        if (!w.is_string()) throw InputError("fill-mask: targets must be strings, got " + w.dump());
        words.push_back(w.get<std::string>());
      }
    else throw InputError("fill-mask: targets must be a string or a list of strings");
    std::vector<int32_t> ids;
    for (const std::string& w : words) {
      if (auto id = tok_.token_to_id(w)) {
        ids.push_back(*id);
        continue;
      }
      std::vector<int32_t> pieces = tok_.encode(w, false);
      if (pieces.empty()) continue;  // transformers warns and drops it
      ids.push_back(pieces[0]);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.empty()) throw InputError("fill-mask: At least one target must be provided when passed.");
    return ids;
  }

  json fill(const std::string& text, int64_t top_k, const std::vector<int32_t>& targets) const {
    const Encoding e = encode(text);
    std::vector<size_t> masks;
    for (size_t i = 0; i < e.size(); ++i)
      if (e.input_ids[i] == mask_id_) masks.push_back(i);
    if (masks.empty()) throw InputError("fill-mask: No mask_token (" + mask_token_ + ") found on the input");
    const EncoderOutput out = forward(e);
    const int64_t V = out.logits.dim(2);
    const bool single = masks.size() == 1;
    const auto pad = tok_.pad_token_id();
    json result = json::array();
    for (size_t m : masks) {
      std::vector<double> probs = softmax(out.logits.data_as<float>() + m * V, V);
      std::vector<int32_t> candidates = targets;
      if (candidates.empty()) {
        candidates.resize(V);
        std::iota(candidates.begin(), candidates.end(), 0);
      }
      const size_t k = std::min<size_t>(top_k, candidates.size());
      std::stable_sort(candidates.begin(), candidates.end(), [&](int32_t a, int32_t b) { return probs[a] > probs[b]; });
      json row = json::array();
      for (size_t r = 0; r < k; ++r) {
        const int32_t id = candidates[r];
        std::vector<int32_t> tokens;
        for (size_t i = 0; i < e.size(); ++i) {
          const int32_t t = i == m ? id : e.input_ids[i];
          if (!pad || t != *pad) tokens.push_back(t);
        }
        const std::vector<int32_t> one{id};
        row.push_back(json{{"score", static_cast<float>(probs[id])},
                           {"token", id},
                           {"token_str", tok_.decode(one)},
                           {"sequence", tok_.decode(tokens, {.skip_special_tokens = single})}});
      }
      result.push_back(std::move(row));
    }
    return single ? result[0] : result;
  }

  std::string mask_token_;
  int32_t mask_id_ = -1;
};

}  // namespace

std::shared_ptr<PipelineImpl> make_fill_mask(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<FillMaskPipeline>(task, o);
}

}  // namespace hf::pipelines
