// zero-shot-classification with an NLI model: transformers' ZeroShotClassificationPipeline
// (pipelines/zero_shot_classification.py). Each candidate label becomes the hypothesis
// hypothesis_template.format(label) (default "This example is {}."), paired with the sequence and
// run one pair at a time (truncation only_first).
//   multi_label false, ≥ 2 labels: softmax of the entailment logits across labels;
//   multi_label true or one label: per label, softmax over [contradiction, entailment] logits,
//     where contradiction_id is -1 (the last label) if entailment_id == 0, else 0 — by position,
//     as transformers does, not by name.
// Output {sequence, labels, scores} by decreasing score; a list of sequences → a list of those.
// The NLI model is an encoder (hf/encoder.h) or BART-MNLI (hf/seq2seq_classification.h, chosen
// by config.json's model_type, as transformers' AutoModelForSequenceClassification does).
#include <algorithm>
#include <cctype>

#include "core/log.h"
#include "hf/error.h"
#include "hf/seq2seq_classification.h"
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

class ZeroShotPipeline : public EncoderPipeline {
 public:
  ZeroShotPipeline(const std::string& task, const PipelineOptions& o, bool seq2seq)
      : EncoderPipeline(task, o, seq2seq ? std::nullopt : std::optional(EncoderHead::SequenceClassification)),
        use_seq2seq_(seq2seq) {
    if (seq2seq) seq2seq_ = Seq2SeqForSequenceClassification::load(resolve_model(o.model, o.hub));
    const auto& labels = config().id2label;
    for (size_t i = 0; i < labels.size() && entailment_ < 0; ++i) {
      std::string l = labels[i];
      for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (l.rfind("entail", 0) == 0) entailment_ = static_cast<int64_t>(i);
    }
    if (entailment_ < 0)
      warn("zero-shot-classification: no label of " + model_name_ +
                " starts with \"entail\"; the last logit is used as entailment, as transformers does");
  }

  json run(const json& inputs, const PipelineCallOptions& o) override {
    const std::vector<std::string> labels = candidate_labels(o);
    const std::string tmpl = string_kwarg(o, "hypothesis_template").value_or("This example is {}.");
    const bool multi = bool_kwarg(o, "multi_label").value_or(false);
    const bool empty_input = inputs.is_string() ? inputs.get<std::string>().empty() : inputs.is_array() && inputs.empty();
    if (labels.empty() || empty_input)
      throw InputError("zero-shot-classification: You must include at least one label and at least one sequence.");
    if (tmpl.find("{}") == std::string::npos)
      throw InputError("zero-shot-classification: The provided hypothesis_template \"" + tmpl +
                       "\" was not able to be formatted with the target labels. Make sure the passed template includes "
                       "formatting syntax such as {} where the label should go.");
    if (!inputs.is_array()) return classify(text_input(inputs), labels, tmpl, multi);
    json out = json::array();
    for (const json& in : inputs) out.push_back(classify(text_input(in), labels, tmpl, multi));
    return out;
  }

 private:
  // A list of strings, or one string split on commas (pieces stripped, empty ones dropped).
  static std::vector<std::string> candidate_labels(const PipelineCallOptions& o) {
    const json* v = kwarg(o, "candidate_labels");
    std::vector<std::string> out;
    if (!v || v->is_null()) return out;
    auto add = [&](std::string s) {
      const size_t b = s.find_first_not_of(" \t\n\r\f\v"), e = s.find_last_not_of(" \t\n\r\f\v");
      if (b != std::string::npos) out.push_back(s.substr(b, e - b + 1));
    };
    if (v->is_string()) {
      const std::string s = v->get<std::string>();
      size_t start = 0;
      for (size_t c; (c = s.find(',', start)) != std::string::npos; start = c + 1) add(s.substr(start, c - start));
      add(s.substr(start));
    } else if (v->is_array()) {
      for (const json& l : *v) {
        if (!l.is_string()) throw InputError("zero-shot-classification: candidate_labels must be strings, got " + l.dump());
        out.push_back(l.get<std::string>());
      }
    } else {
      throw InputError("zero-shot-classification: candidate_labels must be a list of strings or a comma-separated string");
    }
    return out;
  }

  const EncoderConfig& config() const { return use_seq2seq_ ? seq2seq_.config() : model_.config(); }

  // The NLI logits of one (premise, hypothesis) encoding.
  EncoderOutput nli(const Encoding& e) const { return use_seq2seq_ ? seq2seq_(e.input_ids) : forward(e); }

  json classify(const std::string& sequence, const std::vector<std::string>& labels, const std::string& tmpl, bool multi) const {
    const int64_t n_classes = config().num_labels();
    auto index = [&](int64_t i) { return i < 0 ? n_classes + i : i; };  // Python's negative indexing
    const int64_t entail = index(entailment_), contra = index(entailment_ == 0 ? -1 : 0);
    std::vector<double> scores;
    std::vector<float> entail_logits;
    for (const std::string& label : labels) {
      std::string hypothesis = tmpl;
      hypothesis.replace(hypothesis.find("{}"), 2, label);
      const EncoderOutput out = nli(encode(sequence, hypothesis, "only_first"));
      const float* l = out.logits.data_as<float>();
      if (multi || labels.size() == 1) {
        const float pair[2] = {l[contra], l[entail]};
        scores.push_back(softmax(pair, 2)[1]);
      } else {
        entail_logits.push_back(l[entail]);
      }
    }
    if (!(multi || labels.size() == 1)) scores = softmax(entail_logits.data(), entail_logits.size());
    // reversed(argsort(scores)): ascending stable order, read backwards.
    std::vector<size_t> order(labels.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    std::reverse(order.begin(), order.end());
    json out{{"sequence", sequence}, {"labels", json::array()}, {"scores", json::array()}};
    for (size_t i : order) {
      out["labels"].push_back(labels[i]);
      out["scores"].push_back(static_cast<float>(scores[i]));
    }
    return out;
  }

  bool use_seq2seq_;
  Seq2SeqForSequenceClassification seq2seq_;  // BART-MNLI when use_seq2seq_, else model_ (an encoder)
  int64_t entailment_ = -1;
};

}  // namespace

std::shared_ptr<PipelineImpl> make_zero_shot_classification(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<ZeroShotPipeline>(task, o, Seq2SeqForSequenceClassification::handles(resolve_model(o.model, o.hub)));
}

}  // namespace hf::pipelines
