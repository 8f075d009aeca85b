// feature-extraction: transformers' FeatureExtractionPipeline — the base model (head weights
// ignored), output = last_hidden_state as [1][T][H] per input (the batch dimension of 1 kept),
// a list of inputs → a list of those. No truncation unless kwargs "truncation" is true.
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

class FeatureExtractionPipeline : public EncoderPipeline {
 public:
  FeatureExtractionPipeline(const std::string& task, const PipelineOptions& o) : EncoderPipeline(task, o, EncoderHead::None) {}

  json run(const json& inputs, const PipelineCallOptions& o) override {
    const std::string truncation = bool_kwarg(o, "truncation").value_or(false) ? "longest_first" : "";
    if (!inputs.is_array()) return extract(text_input(inputs), truncation);
    json out = json::array();
    for (const json& in : inputs) out.push_back(extract(text_input(in), truncation));
    return out;
  }

 private:
  json extract(const std::string& text, const std::string& truncation) const {
    const EncoderOutput out = forward(encode(text, {}, truncation));
    const Tensor& h = out.last_hidden_state;
    const int64_t T = h.dim(1), H = h.dim(2);
    json rows = json::array();
    for (int64_t t = 0; t < T; ++t) {
      const float* r = h.data_as<float>() + t * H;
      rows.push_back(std::vector<float>(r, r + H));
    }
    return json::array({rows});
  }
};

}  // namespace

std::shared_ptr<PipelineImpl> make_feature_extraction(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<FeatureExtractionPipeline>(task, o);
}

}  // namespace hf::pipelines
