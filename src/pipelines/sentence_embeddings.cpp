// sentence-embeddings (not a transformers task: sentence-transformers' SentenceTransformer.encode
// behind the pipeline interface): str → [dim]; a list → [n][dim] (pooled, normalized when the
// folder's modules say so).
#include "hf/sentence_transformers.h"
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

class SentenceEmbeddingsPipeline : public PipelineImpl {
 public:
  SentenceEmbeddingsPipeline(const std::string& task, const PipelineOptions& o, SentenceTransformer st)
      : PipelineImpl(task, o.model, st.tokenizer()), st_(std::move(st)) {}

  json run(const json& inputs, const PipelineCallOptions&) override {
    auto text = [](const json& j) {
      if (!j.is_string()) throw InputError("sentence-embeddings: expected a text (or a list of texts), got " + j.dump());
      return j.get<std::string>();
    };
    if (!inputs.is_array()) return st_.encode(text(inputs));
    json out = json::array();
    for (const json& in : inputs) out.push_back(st_.encode(text(in)));
    return out;
  }

 private:
  SentenceTransformer st_;
};

}  // namespace

std::shared_ptr<PipelineImpl> make_sentence_embeddings(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<SentenceEmbeddingsPipeline>(task, o, SentenceTransformer::from_pretrained(o.model, o.hub));
}

}  // namespace hf::pipelines
