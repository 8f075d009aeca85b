// text-classification / sentiment-analysis: transformers' TextClassificationPipeline
// (pipelines/text_classification.py: _sanitize_parameters, __call__, postprocess).
//
// The output's shape depends on whether top_k was passed at all (kwargs key absent = legacy):
//   legacy:      str → [{label, score}]; {"text", "text_pair"} → {label, score}; list → [{..}, {..}]
//   top_k k/None: str or pair → [{label, score} × k, by score]; list → a list of those
// function_to_apply: "softmax" | "sigmoid" | "none"; default: regression → none, multi-label or a
// single label → sigmoid, else softmax. kwargs "truncation" (true/"longest_first"/...) is passed
// to the tokenizer.
#include <algorithm>
#include <cctype>

#include "hf/error.h"
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

class TextClassificationPipeline : public EncoderPipeline {
 public:
  TextClassificationPipeline(const std::string& task, const PipelineOptions& o)
      : EncoderPipeline(task, o, EncoderHead::SequenceClassification) {}

  json run(const json& inputs, const PipelineCallOptions& o) override {
    const bool legacy = kwarg(o, "top_k") == nullptr;
    const std::optional<int64_t> top_k = legacy ? std::optional<int64_t>(1) : int_kwarg(o, "top_k");
    if (top_k && *top_k < 1) throw InputError("text-classification: top_k must be at least 1 (or None for all labels)");
    const std::string fn = function_to_apply(o);
    std::string truncation;
    if (const json* t = kwarg(o, "truncation"); t && !t->is_null()) {
      if (t->is_boolean()) truncation = t->get<bool>() ? "longest_first" : "";
      else if (t->is_string() && t->get<std::string>() != "do_not_truncate") truncation = t->get<std::string>();
    }
    auto one = [&](const json& in) { return classify(in, legacy, top_k, fn, truncation); };
    if (inputs.is_array()) {
      json out = json::array();
      for (const json& in : inputs) out.push_back(one(in));
      return out;
    }
    json r = one(inputs);
    return inputs.is_string() && legacy ? json::array({r}) : r;
  }

 private:
  std::string function_to_apply(const PipelineCallOptions& o) const {
    if (auto f = string_kwarg(o, "function_to_apply")) {
      std::string s = *f;
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (s != "softmax" && s != "sigmoid" && s != "none")
        throw InputError("text-classification: function_to_apply \"" + *f + "\" is not one of softmax, sigmoid, none");
      return s;
    }
    const EncoderConfig& c = model_.config();
    if (c.problem_type == "regression") return "none";
    if (c.problem_type == "multi_label_classification" || c.num_labels() == 1) return "sigmoid";
    return "softmax";
  }

  json classify(const json& in, bool legacy, std::optional<int64_t> top_k, const std::string& fn,
                const std::string& truncation) const {
    Encoding e;
    if (in.is_object()) {
      if (!in.contains("text") || !in["text"].is_string())
        throw InputError("text-classification: a pair must be {\"text\": ..., \"text_pair\": ...} with string values");
      std::optional<std::string> pair;
      if (in.contains("text_pair") && in["text_pair"].is_string()) pair = in["text_pair"].get<std::string>();
      e = encode(in["text"].get<std::string>(), pair, truncation);
    } else {
      e = encode(text_input(in), {}, truncation);
    }
    const EncoderOutput out = forward(e);
    const float* logits = out.logits.data_as<float>();
    const size_t n = static_cast<size_t>(out.logits.dim(1));
    std::vector<double> scores(logits, logits + n);
    if (fn == "softmax") scores = softmax(logits, n);
    else if (fn == "sigmoid")
      for (double& s : scores) s = sigmoid(s);
    const auto& labels = model_.config().id2label;
    if (legacy) {
      const size_t best = std::max_element(scores.begin(), scores.end()) - scores.begin();
      return json{{"label", labels[best]}, {"score", static_cast<float>(scores[best])}};
    }
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    if (top_k && static_cast<size_t>(*top_k) < n) order.resize(*top_k);
    json list = json::array();
    for (size_t i : order) list.push_back(json{{"label", labels[i]}, {"score", static_cast<float>(scores[i])}});
    return list;
  }
};

}  // namespace

std::shared_ptr<PipelineImpl> make_text_classification(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<TextClassificationPipeline>(task, o);
}

}  // namespace hf::pipelines
