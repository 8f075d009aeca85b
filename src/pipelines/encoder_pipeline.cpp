#include "pipelines/encoder_pipeline.h"

#include <algorithm>
#include <cmath>

#include "hf/error.h"
#include "pipelines/registry.h"

namespace hf::pipelines {

EncoderPipeline::EncoderPipeline(std::string task, const PipelineOptions& options, EncoderHead head)
    : PipelineImpl(std::move(task), options.model, AutoTokenizer::from_pretrained(options.model, options.hub)),
      model_(EncoderModel::load(resolve_model(options.model, options.hub), head)) {}

EncoderPipeline::EncoderPipeline(std::string task, const PipelineOptions& options, std::optional<EncoderHead> head)
    : PipelineImpl(std::move(task), options.model, AutoTokenizer::from_pretrained(options.model, options.hub)) {
  if (head) model_ = EncoderModel::load(resolve_model(options.model, options.hub), *head);
}

EncoderOutput EncoderPipeline::forward(const Encoding& e) const {
  std::span<const int32_t> types;
  if (tok_.returns_token_type_ids()) types = e.token_type_ids;
  return model_(e.input_ids, types);
}

Encoding EncoderPipeline::encode(const std::string& text, const std::optional<std::string>& pair,
                                 const std::string& truncation) const {
  EncodePlusOptions o{.truncation = truncation};
  return pair ? tok_.encode_plus(text, *pair, o)[0] : tok_.encode_plus(text, o)[0];
}

const json* EncoderPipeline::kwarg(const PipelineCallOptions& o, const char* name) {
  if (!o.extra.is_object() || !o.extra.contains(name)) return nullptr;
  return &o.extra[name];
}

std::optional<int64_t> EncoderPipeline::int_kwarg(const PipelineCallOptions& o, const char* name) {
  const json* v = kwarg(o, name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_number_integer()) throw InputError(std::string("pipeline: ") + name + " must be an integer, got " + v->dump());
  return v->get<int64_t>();
}

std::optional<bool> EncoderPipeline::bool_kwarg(const PipelineCallOptions& o, const char* name) {
  const json* v = kwarg(o, name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_boolean()) throw InputError(std::string("pipeline: ") + name + " must be true or false, got " + v->dump());
  return v->get<bool>();
}

std::optional<std::string> EncoderPipeline::string_kwarg(const PipelineCallOptions& o, const char* name) {
  const json* v = kwarg(o, name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw InputError(std::string("pipeline: ") + name + " must be a string, got " + v->dump());
  return v->get<std::string>();
}

std::string EncoderPipeline::text_input(const json& input) const {
  if (!input.is_string()) throw InputError(task_ + ": expected a text (or a list of texts), got " + input.dump());
  return input.get<std::string>();
}

std::vector<double> softmax(const float* x, size_t n) {
  std::vector<double> p(n);
  const double m = n ? *std::max_element(x, x + n) : 0;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += p[i] = std::exp(double(x[i]) - m);
  for (double& v : p) v /= sum;
  return p;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace hf::pipelines
